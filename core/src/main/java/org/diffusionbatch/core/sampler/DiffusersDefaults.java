package org.diffusionbatch.core.sampler;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code __init__} defaults of each diffusers scheduler class this library implements (diffusers
 * main, late 2026). A class's key set is also what {@code from_config} carries over from another
 * class's config.
 */
final class DiffusersDefaults {
  static final String DPM_MULTISTEP = "DPMSolverMultistepScheduler";
  static final String DPM_SINGLESTEP = "DPMSolverSinglestepScheduler";
  static final String LCM = "LCMScheduler";
  static final String DDIM = "DDIMScheduler";
  static final String EULER = "EulerDiscreteScheduler";
  static final String EULER_ANCESTRAL = "EulerAncestralDiscreteScheduler";
  static final String DDPM = "DDPMScheduler";

  private static final Map<String, Map<String, Object>> BY_CLASS = build();

  private DiffusersDefaults() {}

  static Set<String> classNames() {
    return BY_CLASS.keySet();
  }

  static Map<String, Object> of(String className) {
    Map<String, Object> d = BY_CLASS.get(className);
    if (d == null) {
      throw new IllegalArgumentException(
          "diffusers scheduler class '" + className + "' is not supported; supported: "
              + BY_CLASS.keySet());
    }
    return d;
  }

  private static Map<String, Map<String, Object>> build() {
    Map<String, Map<String, Object>> m = new LinkedHashMap<>();
    m.put(DPM_MULTISTEP, dpmSolver(true));
    m.put(DPM_SINGLESTEP, dpmSolver(false));
    m.put(LCM, keys(
        base(0.00085, 0.012, "scaled_linear"),
        "original_inference_steps", 50, "clip_sample", false, "clip_sample_range", 1.0,
        "set_alpha_to_one", true, "steps_offset", 0, "prediction_type", "epsilon",
        "thresholding", false, "dynamic_thresholding_ratio", 0.995, "sample_max_value", 1.0,
        "timestep_spacing", "leading", "timestep_scaling", 10.0, "rescale_betas_zero_snr", false));
    m.put(DDIM, keys(
        base(0.0001, 0.02, "linear"),
        "clip_sample", true, "set_alpha_to_one", true, "steps_offset", 0,
        "prediction_type", "epsilon", "thresholding", false, "dynamic_thresholding_ratio", 0.995,
        "clip_sample_range", 1.0, "sample_max_value", 1.0, "timestep_spacing", "leading",
        "rescale_betas_zero_snr", false));
    m.put(EULER, keys(
        base(0.0001, 0.02, "linear"),
        "prediction_type", "epsilon", "interpolation_type", "linear", "use_karras_sigmas", false,
        "use_exponential_sigmas", false, "use_beta_sigmas", false, "sigma_min", null,
        "sigma_max", null, "timestep_spacing", "linspace", "timestep_type", "discrete",
        "steps_offset", 0, "rescale_betas_zero_snr", false, "final_sigmas_type", "zero"));
    m.put(EULER_ANCESTRAL, keys(
        base(0.0001, 0.02, "linear"),
        "prediction_type", "epsilon", "timestep_spacing", "linspace", "steps_offset", 0,
        "rescale_betas_zero_snr", false));
    m.put(DDPM, keys(
        base(0.0001, 0.02, "linear"),
        "variance_type", "fixed_small", "clip_sample", true, "prediction_type", "epsilon",
        "thresholding", false, "dynamic_thresholding_ratio", 0.995, "clip_sample_range", 1.0,
        "sample_max_value", 1.0, "timestep_spacing", "leading", "steps_offset", 0,
        "rescale_betas_zero_snr", false));
    return Collections.unmodifiableMap(m);
  }

  private static Map<String, Object> dpmSolver(boolean multistep) {
    Map<String, Object> d = keys(
        base(0.0001, 0.02, "linear"),
        "solver_order", 2, "prediction_type", "epsilon", "thresholding", false,
        "dynamic_thresholding_ratio", 0.995, "sample_max_value", 1.0,
        "algorithm_type", "dpmsolver++", "solver_type", "midpoint",
        // true for the multistep class, false for the singlestep one
        "lower_order_final", multistep,
        "use_karras_sigmas", false, "use_exponential_sigmas", false, "use_beta_sigmas", false,
        "use_flow_sigmas", false, "flow_shift", 1.0, "final_sigmas_type", "zero",
        "lambda_min_clipped", Double.NEGATIVE_INFINITY, "variance_type", null,
        "use_dynamic_shifting", false, "time_shift_type", "exponential");
    if (multistep) {
      d.putAll(keys(Map.of(),
          "euler_at_final", false, "use_lu_lambdas", false, "timestep_spacing", "linspace",
          "steps_offset", 0, "rescale_betas_zero_snr", false));
    }
    return Collections.unmodifiableMap(d);
  }

  private static Map<String, Object> base(double betaStart, double betaEnd, String schedule) {
    return keys(Map.of(),
        "num_train_timesteps", 1000, "beta_start", betaStart, "beta_end", betaEnd,
        "beta_schedule", schedule, "trained_betas", null);
  }

  /** A map from alternating key/value pairs, after {@code first}; values may be null. */
  private static Map<String, Object> keys(Map<String, Object> first, Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>(first);
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
