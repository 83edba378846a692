package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.schedule.TimestepSpacing;

/**
 * The config keys of diffusers' DPMSolverMultistepScheduler and DPMSolverSinglestepScheduler, read
 * and checked once: what to integrate, how, and over which noise levels. Settings only; the noise
 * levels of a run are {@link DpmSolverSigmas}, the updates are in the sampler classes.
 */
final class DpmSolverSettings {
  /** {@code algorithm_type}. */
  final DpmSolverAlgorithm algorithm;
  /** {@code solver_order}: 1, 2 or 3. */
  final int order;
  /** {@code solver_type heun} (Taylor weights for D1), else midpoint (half the D0 weight). */
  final boolean heun;
  /** {@code lower_order_final}. */
  final boolean lowerOrderFinal;
  /** {@code euler_at_final} (multistep only; false for singlestep). */
  final boolean eulerAtFinal;
  /** {@code use_karras_sigmas}. */
  final boolean karras;
  /** {@code final_sigmas_type zero}, else sigma_min. */
  final boolean finalSigmaZero;
  /** {@code timestep_spacing} (multistep; linspace when the class has no such key). */
  final TimestepSpacing spacing;
  /** {@code lambda_min_clipped}. */
  final double lambdaMinClipped;
  /** {@code prediction_type}. */
  final PredictionType prediction;
  /** {@code thresholding} (and {@code clip_sample} where present). */
  final SampleClipping clipping;

  DpmSolverSettings(String sampler, SchedulerConfig c) {
    TrainingSchedule.rejectIfTrue(c, sampler, "use_exponential_sigmas", "use_beta_sigmas",
        "use_lu_lambdas", "use_flow_sigmas", "use_dynamic_shifting");
    this.prediction = TrainingSchedule.prediction(c);
    this.clipping = SampleClipping.fromConfig(c);
    this.spacing = c.containsKey("timestep_spacing")
        ? TrainingSchedule.spacing(c) : TimestepSpacing.LINSPACE;
    this.algorithm = DpmSolverAlgorithm.parse(sampler, c.getString("algorithm_type"));
    String solverType = c.getString("solver_type");
    switch (solverType) {
      case "heun":
        heun = true;
        break;
      case "midpoint": // diffusers' logrho, bh1, bh2 arrive here as midpoint (Samplers)
        heun = false;
        break;
      default:
        throw new IllegalArgumentException(
            "sampler " + sampler + ": solver_type '" + solverType
                + "' is not supported; use midpoint or heun");
    }
    this.order = c.getInt("solver_order");
    if (order < 1 || order > 3) {
      throw new IllegalArgumentException(
          "sampler " + sampler + ": solver_order " + order + " is not supported; use 1, 2 or 3");
    }
    if (algorithm.isStochastic() && order == 3) {
      // diffusers' third-order sde-dpmsolver++ weighs D2 by α_t((1 − e^{−2h} − 2h)/(2h)² − ½); the
      // integral of the second Taylor term gives + ½ (the weight must vanish as h → 0)
      throw new IllegalArgumentException(
          "sampler " + sampler + ": algorithm_type sde-dpmsolver++ supports solver_order 1 or 2,"
              + " not 3 (diffusers' third-order SDE update has a sign error in its D2 weight)");
    }
    this.lowerOrderFinal = c.getBoolean("lower_order_final");
    this.eulerAtFinal = c.containsKey("euler_at_final") && c.getBoolean("euler_at_final");
    this.karras = c.getBoolean("use_karras_sigmas");
    String finalType = c.getString("final_sigmas_type");
    if (!finalType.equals("zero") && !finalType.equals("sigma_min")) {
      throw new IllegalArgumentException(
          "sampler " + sampler + ": final_sigmas_type '" + finalType
              + "' is not supported; use zero or sigma_min");
    }
    this.finalSigmaZero = finalType.equals("zero");
    if (!algorithm.predictsData() && finalSigmaZero) {
      throw new IllegalArgumentException(
          "sampler " + sampler + ": algorithm_type dpmsolver needs final_sigmas_type sigma_min"
              + " (a zero final sigma divides by zero in the noise-prediction solver)");
    }
    this.lambdaMinClipped = c.getDouble("lambda_min_clipped");
    Object variance = c.get("variance_type");
    if ("learned".equals(variance) || "learned_range".equals(variance)) {
      throw new IllegalArgumentException(
          "sampler " + sampler + ": variance_type " + variance
              + " (models that also predict variance) is not supported");
    }
  }
}
