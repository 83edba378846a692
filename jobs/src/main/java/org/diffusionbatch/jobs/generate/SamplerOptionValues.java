package org.diffusionbatch.jobs.generate;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --sampler-option KEY=VALUE} values typed the way scheduler_config.json holds them. */
final class SamplerOptionValues {
  private SamplerOptionValues() {}

  /** true/false become booleans, integers longs, decimals doubles, anything else stays a string. */
  static Map<String, Object> parse(Map<String, String> raw) {
    Map<String, Object> typed = new LinkedHashMap<>();
    raw.forEach((key, value) -> {
      if (key.isBlank()) {
        throw new IllegalArgumentException("--sampler-option =" + value + " has no key; write KEY=VALUE, e.g. use_karras_sigmas=true");
      }
      typed.put(key.trim(), typed(value.trim()));
    });
    return typed;
  }

  static Object typed(String value) {
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    if (value.matches("-?\\d+")) {
      return Long.parseLong(value);
    }
    if (value.matches("-?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][-+]?\\d+)?")) {
      return Double.parseDouble(value);
    }
    return value;
  }
}
