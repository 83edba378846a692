package org.diffusionbatch.core.sampler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates samplers by the names users give ("dpmpp-2m", "dpmpp-3m-karras:lower_order_final=false",
 * ...) or by diffusers class, from a model's {@code scheduler_config.json}, and names the model's
 * own scheduler. See docs/samplers.md.
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
  private static final Set<String> SCHEDULE_KEYS = Set.of(
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
    m.put("dpmpp-3m-karras", new Named(dpm,
        Map.of("algorithm_type", "dpmsolver++", "solver_order", 3, "use_karras_sigmas", true)));
    m.put("dpmpp-2m-sde", new Named(dpm, Map.of("algorithm_type", "sde-dpmsolver++", "solver_order", 2)));
    m.put("dpmpp-2m-sde-karras", new Named(dpm,
        Map.of("algorithm_type", "sde-dpmsolver++", "solver_order", 2, "use_karras_sigmas", true)));
    m.put("dpm-2s", new Named(DiffusersDefaults.DPM_SINGLESTEP,
        Map.of("algorithm_type", "dpmsolver++", "solver_order", 2)));
    m.put("lcm", new Named(DiffusersDefaults.LCM, Map.of()));
    m.put("ddim", new Named(DiffusersDefaults.DDIM, Map.of()));
    m.put("euler", new Named(DiffusersDefaults.EULER, Map.of()));
    m.put("euler-a", new Named(DiffusersDefaults.EULER_ANCESTRAL, Map.of()));
    m.put("ddpm", new Named(DiffusersDefaults.DDPM, Map.of()));
    return Collections.unmodifiableMap(m);
  }

  /** The sampler names {@link #create} accepts (besides null / "default"), without options. */
  public static List<String> names() {
    return new ArrayList<>(NAMED.keySet());
  }

  /**
   * The name of the model's own scheduler: the sampler that equals what diffusers'
   * {@code from_config} builds from this config (every key of its class honoured), written as a
   * name plus the options that differ from it, so that {@link #create} with that name and this
   * config builds the same sampler. When the class is not implemented here (PNDMScheduler, the
   * class Stable Diffusion 1.x/2.x ship, or e.g. LMSDiscreteScheduler), {@link #FALLBACK}.
   */
  public static String modelDefault(SchedulerConfig modelConfig) {
    String cls = modelConfig.className().orElse("");
    if (!BY_CLASS.containsKey(cls)) {
      LOG.info("model scheduler class '{}' is not implemented; sampling with {}", cls, FALLBACK);
      return FALLBACK;
    }
    return nameOf(cls, asInitialized(cls, modelConfig.resolvedFor(cls)), modelConfig);
  }

  /**
   * A sampler by name for a model.
   *
   * @param name a name from {@link #names()}, optionally with options
   *     ({@code dpmpp-2m-karras:solver_type=heun}), or null / "default" (options allowed) for
   *     {@link #modelDefault the model's own scheduler}
   * @param modelConfig the model's scheduler_config.json
   * @param overrides config keys of the sampler's diffusers class (plus {@code eta} for ddim)
   *     that replace the model's values, the name's options and the sampler's defaults
   * @return a sampler whose {@link Sampler#name()} names what it runs, options included
   * @throws IllegalArgumentException for an unknown name (listing the known ones) or an option or
   *     override key the sampler does not take (listing those it does)
   */
  public static Sampler create(String name, SchedulerConfig modelConfig, Map<String, ?> overrides) {
    Map<String, ?> extra = overrides == null ? Map.of() : overrides;
    SamplerName parsed = SamplerName.parse(name == null || name.isBlank() ? "default" : name);
    if (parsed.base().equals("default")) {
      parsed = SamplerName.parse(modelDefault(modelConfig)).withOptions(parsed.options());
    }
    Named named = NAMED.get(parsed.base());
    if (named == null) {
      throw unknownName(parsed.base());
    }
    String cls = named.className();
    SchedulerConfig config = asInitialized(cls, withOverrides(cls,
        withOverrides(cls, configOf(named, modelConfig), parsed.options()), extra));
    return build(nameOf(cls, config, modelConfig), cls, config);
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
        asInitialized(className, withOverrides(className, config.resolvedFor(className), overrides)));
  }

  /**
   * A named sampler's config for a model: the model's schedule keys (those diffusers' from_config
   * would take, so not those under {@code _use_default_values}), the class defaults for the rest,
   * then the name's settings.
   */
  private static SchedulerConfig configOf(Named named, SchedulerConfig modelConfig) {
    Map<String, Object> carried = new LinkedHashMap<>();
    Object usedDefaults = modelConfig.get("_use_default_values");
    List<?> skip = usedDefaults instanceof List ? (List<?>) usedDefaults : List.of();
    for (Map.Entry<String, Object> e : modelConfig.asMap().entrySet()) {
      if (SCHEDULE_KEYS.contains(e.getKey()) && !skip.contains(e.getKey())) {
        carried.put(e.getKey(), e.getValue());
      }
    }
    return SchedulerConfig.of(carried).resolvedFor(named.className()).with(named.settings());
  }

  /**
   * The shortest name that {@link #create} turns into {@code config} for this model: of the names
   * of the class, the one whose config needs the fewest options to become {@code config} (on a
   * tie the one that fixes more settings, so dpmpp-3m-karras rather than dpmpp-3m on a Karras
   * model), with those options.
   */
  private static String nameOf(String cls, SchedulerConfig config, SchedulerConfig modelConfig) {
    String bestName = null;
    Named best = null;
    Map<String, Object> bestOptions = null;
    for (Map.Entry<String, Named> e : NAMED.entrySet()) {
      Named candidate = e.getValue();
      if (!candidate.className().equals(cls)) {
        continue;
      }
      Map<String, Object> options = differences(cls, configOf(candidate, modelConfig), config);
      if (best == null || options.size() < bestOptions.size()
          || (options.size() == bestOptions.size()
              && candidate.settings().size() > best.settings().size())) {
        bestName = e.getKey();
        best = candidate;
        bestOptions = options;
      }
    }
    return new SamplerName(bestName, bestOptions).toString();
  }

  /** The keys of the class (and ddim's eta) whose value in {@code target} differs from {@code from}. */
  private static Map<String, Object> differences(String cls, SchedulerConfig from, SchedulerConfig target) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String key : acceptedKeys(cls)) {
      Object want = target.get(key);
      if (!sameValue(from.get(key), want)) {
        out.put(key, want);
      }
    }
    return out;
  }

  private static boolean sameValue(Object a, Object b) {
    if (a instanceof Number && b instanceof Number) {
      return ((Number) a).doubleValue() == ((Number) b).doubleValue();
    }
    return a == null ? b == null : a.equals(b);
  }

  private static Sampler build(String name, String className, SchedulerConfig config) {
    return BY_CLASS.get(className).apply(name, config);
  }

  /**
   * The config as the diffusers class holds it after {@code __init__}: the DPM-Solver schedulers
   * register algorithm_type deis as dpmsolver++ and solver_type logrho, bh1, bh2 as midpoint.
   */
  private static SchedulerConfig asInitialized(String className, SchedulerConfig config) {
    if (!className.equals(DiffusersDefaults.DPM_MULTISTEP) && !className.equals(DiffusersDefaults.DPM_SINGLESTEP)) {
      return config;
    }
    Map<String, Object> renamed = new LinkedHashMap<>();
    if ("deis".equals(config.get("algorithm_type"))) {
      renamed.put("algorithm_type", "dpmsolver++");
    }
    if (List.of("logrho", "bh1", "bh2").contains(config.get("solver_type"))) {
      renamed.put("solver_type", "midpoint");
    }
    return renamed.isEmpty() ? config : config.with(renamed);
  }

  /** The class's config keys in diffusers' order, and ddim's eta. */
  private static Set<String> acceptedKeys(String className) {
    Set<String> accepted = new LinkedHashSet<>(DiffusersDefaults.of(className).keySet());
    if (className.equals(DiffusersDefaults.DDIM)) {
      accepted.add(DdimSampler.ETA);
    }
    return accepted;
  }

  private static SchedulerConfig withOverrides(
      String className, SchedulerConfig config, Map<String, ?> overrides) {
    if (overrides.isEmpty()) {
      return config;
    }
    Set<String> accepted = acceptedKeys(className);
    for (String key : overrides.keySet()) {
      if (!accepted.contains(key)) {
        throw new IllegalArgumentException(
            "sampler option '" + key + "' is not a setting of " + className + "; accepted: "
                + new TreeSet<>(accepted));
      }
    }
    return config.with(overrides);
  }

  private static IllegalArgumentException unknownName(String name) {
    return new IllegalArgumentException(
        "unknown sampler '" + name + "'; known samplers: " + String.join(", ", names())
            + " (optionally NAME:KEY=VALUE,..., or 'default' for the model's own scheduler)");
  }
}
