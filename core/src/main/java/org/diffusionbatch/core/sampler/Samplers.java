package org.diffusionbatch.core.sampler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates samplers by the names users give ("dpmpp-2m", "euler-a", ...) or by diffusers class,
 * from a model's {@code scheduler_config.json}. See docs/samplers.md.
 */
public final class Samplers {
  private static final Logger LOG = LoggerFactory.getLogger(Samplers.class);

  /** The sampler used when a model's own scheduler class is not implemented (e.g. PNDM). */
  public static final String FALLBACK = "dpmpp-2m";

  /**
   * Keys of a model's config that describe the model (its training schedule and what it
   * predicts), carried over to whichever sampler is named; all other keys take the sampler's
   * defaults.
   */
  public static final Set<String> SCHEDULE_KEYS = Set.of(
      "num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas",
      "prediction_type", "steps_offset", "timestep_spacing", "set_alpha_to_one",
      "rescale_betas_zero_snr", "clip_sample", "clip_sample_range", "thresholding",
      "dynamic_thresholding_ratio", "sample_max_value", "original_inference_steps",
      "timestep_scaling");

  private record Named(String className, Map<String, Object> settings) {}

  private static final Map<String, Named> NAMED = named();

  private static final Map<String, BiFunction<String, SchedulerConfig, Sampler>> BY_CLASS = Map.of(
      DiffusersDefaults.DPM_MULTISTEP, DpmSolverMultistepSampler::new,
      DiffusersDefaults.DPM_SINGLESTEP, DpmSolverSinglestepSampler::new,
      DiffusersDefaults.LCM, LcmSampler::new,
      DiffusersDefaults.DDIM, DdimSampler::new,
      DiffusersDefaults.EULER, EulerSampler::new,
      DiffusersDefaults.EULER_ANCESTRAL, EulerAncestralSampler::new,
      DiffusersDefaults.DDPM, DdpmSampler::new);

  private Samplers() {}

  private static Map<String, Named> named() {
    Map<String, Named> m = new LinkedHashMap<>();
    String dpm = DiffusersDefaults.DPM_MULTISTEP;
    m.put("dpmpp-2m", new Named(dpm, Map.of("algorithm_type", "dpmsolver++", "solver_order", 2)));
    m.put("dpmpp-2m-karras", new Named(dpm,
        Map.of("algorithm_type", "dpmsolver++", "solver_order", 2, "use_karras_sigmas", true)));
    m.put("dpmpp-3m", new Named(dpm, Map.of("algorithm_type", "dpmsolver++", "solver_order", 3)));
    m.put("dpm-2s", new Named(DiffusersDefaults.DPM_SINGLESTEP,
        Map.of("algorithm_type", "dpmsolver++", "solver_order", 2)));
    m.put("lcm", new Named(DiffusersDefaults.LCM, Map.of()));
    m.put("ddim", new Named(DiffusersDefaults.DDIM, Map.of()));
    m.put("euler", new Named(DiffusersDefaults.EULER, Map.of()));
    m.put("euler-a", new Named(DiffusersDefaults.EULER_ANCESTRAL, Map.of()));
    m.put("ddpm", new Named(DiffusersDefaults.DDPM, Map.of()));
    return Collections.unmodifiableMap(m);
  }

  /** The sampler names {@link #create} accepts (besides null / "default"). */
  public static List<String> names() {
    return new ArrayList<>(NAMED.keySet());
  }

  /** The diffusers class a sampler name maps to. */
  public static String diffusersClassOf(String name) {
    Named n = NAMED.get(name);
    if (n == null) {
      throw unknownName(name);
    }
    return n.className();
  }

  /**
   * A sampler by name for a model.
   *
   * @param name a name from {@link #names()}, or null / "default" for the model's own scheduler
   *     class (dpmpp-2m when that class is not implemented here, e.g. PNDMScheduler)
   * @param modelConfig the model's scheduler_config.json
   * @param overrides config keys of the sampler's diffusers class (plus {@code eta} for ddim)
   *     that replace the model's values and the sampler's defaults
   * @throws IllegalArgumentException for an unknown name (listing the known ones) or an override
   *     key the sampler does not take (listing those it does)
   */
  public static Sampler create(String name, SchedulerConfig modelConfig, Map<String, ?> overrides) {
    Map<String, ?> extra = overrides == null ? Map.of() : overrides;
    if (name == null || name.isBlank() || name.equals("default")) {
      String cls = modelConfig.className().orElse("");
      if (BY_CLASS.containsKey(cls)) {
        return build(cls, cls, withOverrides(cls, modelConfig.resolvedFor(cls), extra));
      }
      LOG.info("model scheduler class '{}' is not implemented; sampling with {}", cls, FALLBACK);
      name = FALLBACK;
    }
    Named named = NAMED.get(name);
    if (named == null) {
      throw unknownName(name);
    }
    Map<String, Object> carried = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : modelConfig.asMap().entrySet()) {
      if (SCHEDULE_KEYS.contains(e.getKey())) {
        carried.put(e.getKey(), e.getValue());
      }
    }
    SchedulerConfig config = SchedulerConfig.of(carried)
        .resolvedFor(named.className())
        .with(named.settings());
    return build(name, named.className(), withOverrides(named.className(), config, extra));
  }

  /**
   * The sampler a diffusers scheduler class would be with this config (from_config semantics:
   * keys the class does not take are ignored, missing keys take its defaults).
   */
  public static Sampler fromDiffusers(String className, SchedulerConfig config) {
    return fromDiffusers(className, config, Map.of());
  }

  /**
   * As {@link #fromDiffusers(String, SchedulerConfig)}, then applies overrides (keys of the class,
   * plus {@code eta} for DDIMScheduler).
   */
  public static Sampler fromDiffusers(
      String className, SchedulerConfig config, Map<String, ?> overrides) {
    if (!BY_CLASS.containsKey(className)) {
      throw new IllegalArgumentException(
          "diffusers scheduler class '" + className + "' is not supported; supported: "
              + new TreeSet<>(BY_CLASS.keySet()) + " (or pick a sampler by name: " + names() + ")");
    }
    return build(className, className,
        withOverrides(className, config.resolvedFor(className), overrides));
  }

  private static Sampler build(String name, String className, SchedulerConfig config) {
    return BY_CLASS.get(className).apply(name, config);
  }

  private static SchedulerConfig withOverrides(
      String className, SchedulerConfig config, Map<String, ?> overrides) {
    if (overrides.isEmpty()) {
      return config;
    }
    Set<String> accepted = new TreeSet<>(DiffusersDefaults.of(className).keySet());
    if (className.equals(DiffusersDefaults.DDIM)) {
      accepted.add(DdimSampler.ETA);
    }
    for (String key : overrides.keySet()) {
      if (!accepted.contains(key)) {
        throw new IllegalArgumentException(
            "sampler override '" + key + "' is not a setting of " + className + "; accepted: "
                + accepted);
      }
    }
    return config.with(overrides);
  }

  private static IllegalArgumentException unknownName(String name) {
    return new IllegalArgumentException(
        "unknown sampler '" + name + "'; known samplers: " + String.join(", ", names())
            + " (or 'default' for the model's own scheduler)");
  }
}
