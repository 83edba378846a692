package org.diffusionbatch.jobs.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --sampler-option key=value} strings to typed scheduler_config overrides. */
public final class SamplerOptions {
  private SamplerOptions() {}

  /** Values become booleans, integers, doubles or strings, as they would be in a JSON config. */
  public static Map<String, Object> parse(List<String> options) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (options == null) {
      return out;
    }
    for (String option : options) {
      int eq = option.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "--sampler-option must be KEY=VALUE with a diffusers scheduler_config key, got '" + option + "'");
      }
      out.put(option.substring(0, eq).trim(), typed(option.substring(eq + 1).trim()));
    }
    return out;
  }

  private static Object typed(String value) {
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    if (value.equalsIgnoreCase("null") || value.equalsIgnoreCase("none")) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException notLong) {
      try {
        return Double.parseDouble(value);
      } catch (NumberFormatException notDouble) {
        return value;
      }
    }
  }
}
