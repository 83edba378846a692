package org.diffusionbatch.jobs.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.diffusionbatch.core.sampler.SamplerName;

/**
 * One varied setting and its values, parsed and checked for form: steps whole numbers of at least
 * 1, guidance finite, guidance_rescale within 0..1, no empty values.
 *
 * @param name the canonical key ({@code steps}, {@code option.use_karras_sigmas}, ...)
 */
record GridAxis(GridKey key, String name, List<Object> values) {

  /** {@code --grid KEY=V1,V2,...}. */
  static GridAxis parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException("--grid " + spec + " has no '='; write KEY=V1,V2, e.g. --grid steps=10,20");
    }
    String key = spec.substring(0, eq);
    String text = spec.substring(eq + 1);
    List<Object> values = new ArrayList<>();
    for (String value : text.split(",", -1)) {
      values.add(value);
    }
    return of(key, values, "--grid " + spec);
  }

  /** An axis from raw values (strings from the command line, numbers/strings/booleans from a grid file); {@code where} names them in errors. */
  static GridAxis of(String rawKey, List<?> raw, String where) {
    GridKey key;
    try {
      key = GridKey.of(rawKey);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage());
    }
    String name = key == GridKey.OPTION
        ? GridKey.OPTION_PREFIX + rawKey.trim().substring(GridKey.OPTION_PREFIX.length()).trim()
        : key.name;
    if (raw.isEmpty()) {
      throw new IllegalArgumentException(where + ": '" + name + "' has no values");
    }
    List<Object> values = new ArrayList<>();
    for (Object value : raw) {
      if (value == null || value.toString().isBlank()) {
        throw new IllegalArgumentException(where + ": '" + name + "' has an empty value; give each value, e.g. steps=10,20");
      }
      Object parsed = parse(key, name, value, where);
      if (values.contains(parsed)) {
        throw new IllegalArgumentException(where + ": '" + name + "' lists " + parsed + " twice");
      }
      values.add(parsed);
    }
    return new GridAxis(key, name, List.copyOf(values));
  }

  private static Object parse(GridKey key, String name, Object value, String where) {
    String text = value.toString().trim();
    try {
      return switch (key) {
        case MODEL -> text.matches("[A-Za-z][A-Za-z0-9+.-]*:.*") ? text : java.nio.file.Path.of(text).toAbsolutePath().normalize().toString();
        case SAMPLER -> text.toLowerCase(Locale.ROOT);
        case STEPS -> {
          int steps = value instanceof Number n && n.doubleValue() == n.intValue() ? n.intValue() : Integer.parseInt(text);
          if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1");
          }
          yield steps;
        }
        case GUIDANCE -> {
          double g = value instanceof Number n ? n.doubleValue() : Double.parseDouble(text);
          if (!Double.isFinite(g)) {
            throw new IllegalArgumentException("guidance must be a finite number");
          }
          yield g;
        }
        case GUIDANCE_RESCALE -> {
          double r = value instanceof Number n ? n.doubleValue() : Double.parseDouble(text);
          if (!(r >= 0 && r <= 1)) {
            throw new IllegalArgumentException("guidance_rescale must be between 0 and 1");
          }
          yield r;
        }
        case OPTION -> value instanceof String ? SamplerName.parseValue(text) : value;
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where + ": " + name + " value '" + text + "' is not a number");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + name + " value '" + text + "': " + e.getMessage());
    }
  }
}
