package org.diffusionbatch.core.sampler;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A sampler name as users write it and output rows record it: a named sampler, optionally followed
 * by diffusers config keys that differ from what the name gives, e.g. {@code dpmpp-3m-karras} or
 * {@code dpmpp-2m-karras:solver_type=heun,lower_order_final=false}. See docs/samplers.md.
 *
 * @param base the named sampler ({@code dpmpp-2m}, ...)
 * @param options config keys and values, in order; values typed as a scheduler_config.json holds them
 */
public record SamplerName(String base, Map<String, Object> options) {
  private static final Pattern PLAIN_VALUE = Pattern.compile("[A-Za-z0-9_.+-]+");
  private static final Pattern INTEGER = Pattern.compile("-?\\d+");
  private static final Pattern DECIMAL = Pattern.compile("-?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][-+]?\\d+)?");

  public SamplerName {
    // not Map.copyOf: null is a meaningful value (variance_type=null)
    options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
  }

  /**
   * Parses {@code NAME} or {@code NAME:KEY=VALUE,KEY=VALUE}.
   *
   * @throws IllegalArgumentException naming the part that is malformed
   */
  public static SamplerName parse(String text) {
    String s = text.trim();
    int colon = s.indexOf(':');
    if (colon < 0) {
      return new SamplerName(s, Map.of());
    }
    Map<String, Object> options = new LinkedHashMap<>();
    for (String pair : s.substring(colon + 1).split(",", -1)) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? "" : pair.substring(0, eq).trim();
      if (key.isEmpty()) {
        throw new IllegalArgumentException(
            "sampler '" + text + "': option '" + pair.trim() + "' is not KEY=VALUE; write e.g."
                + " dpmpp-2m-karras:solver_type=heun,lower_order_final=false");
      }
      if (options.containsKey(key)) {
        throw new IllegalArgumentException("sampler '" + text + "' sets " + key + " twice");
      }
      options.put(key, parseValue(pair.substring(eq + 1).trim()));
    }
    return new SamplerName(s.substring(0, colon).trim(), options);
  }

  /**
   * A config value as scheduler_config.json would hold it: true/false, null (or none), integers
   * as longs, decimals and inf/-inf as doubles, anything else a string. Case-insensitive for the
   * keywords, since names may arrive lower-cased.
   */
  public static Object parseValue(String value) {
    String lower = value.toLowerCase(Locale.ROOT);
    switch (lower) {
      case "true":
      case "false":
        return Boolean.parseBoolean(lower);
      case "null":
      case "none":
        return null;
      case "inf":
      case "infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf":
      case "-infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    if (INTEGER.matcher(value).matches()) {
      return Long.parseLong(value);
    }
    if (DECIMAL.matcher(value).matches()) {
      return Double.parseDouble(value);
    }
    return value;
  }

  /** This name with {@code more} options added; a key already present takes the new value. */
  public SamplerName withOptions(Map<String, ?> more) {
    Map<String, Object> merged = new LinkedHashMap<>(options);
    merged.putAll(more);
    return new SamplerName(base, merged);
  }

  /** The text form, which {@link #parse} reads back to an equal name. */
  @Override
  public String toString() {
    if (options.isEmpty()) {
      return base;
    }
    StringBuilder b = new StringBuilder(base).append(':');
    String sep = "";
    for (Map.Entry<String, Object> e : options.entrySet()) {
      b.append(sep).append(e.getKey()).append('=').append(format(e.getKey(), e.getValue()));
      sep = ",";
    }
    return b.toString();
  }

  private static String format(String key, Object value) {
    if (value == null || value instanceof Boolean || value instanceof Integer || value instanceof Long) {
      return String.valueOf(value);
    }
    if (value instanceof Number) {
      double d = ((Number) value).doubleValue();
      return Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : Double.toString(d);
    }
    // a string reads back only if it is plain and not a keyword or number ("true", "1")
    if (value instanceof String s && PLAIN_VALUE.matcher(s).matches() && s.equals(parseValue(s))) {
      return s;
    }
    throw new IllegalArgumentException(
        "scheduler config " + key + "=" + value + " cannot be written in a sampler name; give it as a"
            + " sampler option (--sampler-option " + key + "=...) or in scheduler_config.json");
  }
}
