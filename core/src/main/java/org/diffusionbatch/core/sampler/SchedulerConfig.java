package org.diffusionbatch.core.sampler;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A diffusers {@code scheduler_config.json}: its keys are the contract with users' models. Values
 * are kept as parsed (unknown keys and {@code null}s included); typed getters read them and say
 * which key was wrong. {@link #resolvedFor(String)} fills in a scheduler class's own defaults.
 */
public final class SchedulerConfig {
  /** diffusers' key for the scheduler class a config was written by. */
  public static final String CLASS_NAME = "_class_name";

  // diffusers writes Python's float('-inf') for lambda_min_clipped as the bare token -Infinity
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private final Map<String, Object> values;

  private SchedulerConfig(Map<String, Object> values) {
    this.values = Collections.unmodifiableMap(values);
  }

  public static SchedulerConfig of(Map<String, ?> values) {
    return new SchedulerConfig(new LinkedHashMap<>(values));
  }

  /** Reads a {@code scheduler_config.json}. */
  public static SchedulerConfig read(Path file) {
    try {
      return of(JSON.readValue(file.toFile(), new TypeReference<Map<String, Object>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read scheduler config " + file + ": " + e.getMessage()
              + " (expected a diffusers scheduler_config.json object)", e);
    }
  }

  /** The diffusers class that wrote this config, if it says. */
  public Optional<String> className() {
    Object v = values.get(CLASS_NAME);
    return v instanceof String ? Optional.of((String) v) : Optional.empty();
  }

  /** All keys and values as given (read-only; values may be null). */
  public Map<String, Object> asMap() {
    return values;
  }

  /** Whether the key is present with a non-null value. */
  public boolean has(String key) {
    return values.get(key) != null;
  }

  public boolean containsKey(String key) {
    return values.containsKey(key);
  }

  public Object get(String key) {
    return values.get(key);
  }

  /** A copy with these keys set (a null value sets the key to null). */
  public SchedulerConfig with(Map<String, ?> changes) {
    Map<String, Object> m = new LinkedHashMap<>(values);
    m.putAll(changes);
    return new SchedulerConfig(m);
  }

  /**
   * This config as diffusers' {@code from_config} gives it to {@code className}: the class's
   * defaults, overlaid with every key of this config the class accepts, except the keys diffusers
   * recorded under {@code _use_default_values}.
   */
  public SchedulerConfig resolvedFor(String className) {
    Map<String, Object> defaults = DiffusersDefaults.of(className);
    Map<String, Object> m = new LinkedHashMap<>(defaults);
    Object usedDefaults = values.get("_use_default_values");
    List<?> skip = usedDefaults instanceof List ? (List<?>) usedDefaults : List.of();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      if (defaults.containsKey(e.getKey()) && !skip.contains(e.getKey())) {
        m.put(e.getKey(), e.getValue());
      }
    }
    m.put(CLASS_NAME, className);
    return new SchedulerConfig(m);
  }

  public int getInt(String key) {
    Number n = number(key);
    double d = n.doubleValue();
    if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
      throw wrongType(key, "an integer");
    }
    return (int) d;
  }

  public double getDouble(String key) {
    return number(key).doubleValue();
  }

  public boolean getBoolean(String key) {
    Object v = require(key);
    if (v instanceof Boolean) {
      return (Boolean) v;
    }
    throw wrongType(key, "true or false");
  }

  public String getString(String key) {
    Object v = require(key);
    if (v instanceof String) {
      return (String) v;
    }
    throw wrongType(key, "a string");
  }

  /** A string value, or empty when the key is absent or null. */
  public Optional<String> findString(String key) {
    return has(key) ? Optional.of(getString(key)) : Optional.empty();
  }

  /** A number value, or empty when the key is absent or null. */
  public Optional<Double> findDouble(String key) {
    return has(key) ? Optional.of(getDouble(key)) : Optional.empty();
  }

  /** A list of numbers as float32 (e.g. trained_betas), or empty when absent or null. */
  public Optional<float[]> findFloatArray(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    if (!(values.get(key) instanceof List)) {
      throw wrongType(key, "a list of numbers");
    }
    List<?> list = (List<?>) values.get(key);
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Number)) {
        throw wrongType(key, "a list of numbers");
      }
      out[i] = ((Number) list.get(i)).floatValue();
    }
    return Optional.of(out);
  }

  private Number number(String key) {
    Object v = require(key);
    if (v instanceof Number) {
      return (Number) v;
    }
    throw wrongType(key, "a number");
  }

  private Object require(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException(
          "scheduler config has no value for '" + key + "'"
              + className().map(c -> " (" + c + ")").orElse("")
              + "; set it in scheduler_config.json or as a sampler override");
    }
    return v;
  }

  private IllegalArgumentException wrongType(String key, String expected) {
    return new IllegalArgumentException(
        "scheduler config '" + key + "' must be " + expected + ", got " + values.get(key));
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
