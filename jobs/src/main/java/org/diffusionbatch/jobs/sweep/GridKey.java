package org.diffusionbatch.jobs.sweep;

import java.util.List;
import java.util.Locale;

/**
 * What a sweep grid can vary: {@code model}, {@code sampler}, {@code steps}, {@code guidance},
 * {@code guidance_rescale}, and any diffusers scheduler_config key as {@code option.KEY}
 * (e.g. {@code option.use_karras_sigmas}), the keys {@code --sampler-option} takes.
 */
enum GridKey {
  MODEL("model"),
  SAMPLER("sampler"),
  STEPS("steps"),
  GUIDANCE("guidance"),
  GUIDANCE_RESCALE("guidance_rescale"),
  OPTION("option.");

  static final String OPTION_PREFIX = "option.";

  final String name;

  GridKey(String name) {
    this.name = name;
  }

  /** The key a grid names ({@code guidance-rescale} and {@code guidance_rescale} alike), or an error listing the known keys. */
  static GridKey of(String key) {
    String k = key.trim().toLowerCase(Locale.ROOT).replace('-', '_');
    if (k.startsWith(OPTION_PREFIX) && k.length() > OPTION_PREFIX.length()) {
      return OPTION;
    }
    for (GridKey g : values()) {
      if (g != OPTION && g.name.equals(k)) {
        return g;
      }
    }
    throw new IllegalArgumentException("unknown grid key '" + key + "'; the grid can vary " + known());
  }

  static String known() {
    return String.join(", ", List.of("model", "sampler", "steps", "guidance", "guidance_rescale", "option.KEY (a scheduler_config key)"));
  }
}
