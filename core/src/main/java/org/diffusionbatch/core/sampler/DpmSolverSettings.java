package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.schedule.KarrasSigmas;
import org.diffusionbatch.core.schedule.NoiseSchedule;
import org.diffusionbatch.core.schedule.NumpyRanges;
import org.diffusionbatch.core.schedule.TimestepSpacing;

/**
 * What the multistep and singlestep DPM-Solver schedulers share: the config keys, the sigma plan
 * (timesteps, sigmas with a zero or sigma_min end, optional Karras spacing) and the conversion of
 * a model output to x0 (DPM-Solver++) or eps (DPM-Solver).
 */
final class DpmSolverSettings {
  final SchedulerConfig config;
  final NoiseSchedule schedule;
  final PredictionType prediction;
  final SampleClipping clipping;
  final DpmSolverAlgorithm algorithm;
  final boolean dataPrediction;
  final boolean heun;
  final int order;
  final boolean lowerOrderFinal;
  final boolean karras;
  final boolean finalSigmaZero;
  final TimestepSpacing spacing;

  DpmSolverSettings(String sampler, SchedulerConfig c) {
    this.config = c;
    TrainingSchedule.rejectIfTrue(c, sampler, "use_exponential_sigmas", "use_beta_sigmas",
        "use_lu_lambdas", "use_flow_sigmas", "use_dynamic_shifting");
    this.schedule = TrainingSchedule.forSigmas(c);
    this.prediction = TrainingSchedule.prediction(c);
    this.clipping = SampleClipping.fromConfig(c);
    this.spacing = c.containsKey("timestep_spacing")
        ? TrainingSchedule.spacing(c) : TimestepSpacing.LINSPACE;
    this.algorithm = DpmSolverAlgorithm.parse(sampler, c.getString("algorithm_type"));
    this.dataPrediction = algorithm.predictsData();
    String solverType = c.getString("solver_type");
    switch (solverType) {
      case "heun":
        heun = true;
        break;
      case "midpoint":
      case "logrho": // diffusers maps these to midpoint
      case "bh1":
      case "bh2":
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
      throw new IllegalArgumentException(
          "sampler " + sampler + ": algorithm_type sde-dpmsolver++ supports solver_order 1 or 2,"
              + " not 3");
    }
    this.lowerOrderFinal = c.getBoolean("lower_order_final");
    this.karras = c.getBoolean("use_karras_sigmas");
    String finalType = c.getString("final_sigmas_type");
    if (!finalType.equals("zero") && !finalType.equals("sigma_min")) {
      throw new IllegalArgumentException(
          "sampler " + sampler + ": final_sigmas_type '" + finalType
              + "' is not supported; use zero or sigma_min");
    }
    this.finalSigmaZero = finalType.equals("zero");
    if (!dataPrediction && finalSigmaZero) {
      throw new IllegalArgumentException(
          "sampler " + sampler + ": algorithm_type dpmsolver needs final_sigmas_type sigma_min"
              + " (a zero final sigma divides by zero in the noise-prediction solver)");
    }
    Object variance = c.get("variance_type");
    if ("learned".equals(variance) || "learned_range".equals(variance)) {
      throw new IllegalArgumentException(
          "sampler " + sampler + ": variance_type " + variance
              + " (models that also predict variance) is not supported");
    }
  }

  /**
   * One past the last usable training timestep: lambda_min_clipped removes the low-noise end
   * where lambda falls below it (diffusers' searchsorted over the flipped lambda table).
   */
  int lastTimestep() {
    double minLambda = config.getDouble("lambda_min_clipped");
    int train = schedule.trainSteps();
    int clipped = 0;
    for (int t = train - 1; t >= 0; t--) {
      float a = schedule.alphaCumprod(t);
      float lambda = (float) Math.log((float) Math.sqrt(a)) - (float) Math.log((float) Math.sqrt(1f - a));
      if (lambda < minLambda) {
        clipped++;
      } else {
        break;
      }
    }
    return train - clipped;
  }

  /**
   * The timesteps of an n-step run: the rounded timesteps of the Karras sigmas under
   * use_karras_sigmas, else the {@code grid} spacing up to {@link #lastTimestep()}.
   */
  double[] timesteps(int n, TimestepSpacing grid, int stepsOffset) {
    if (!karras) {
      return grid.solverGrid(lastTimestep(), schedule.trainSteps(), n, stepsOffset);
    }
    double[] sigmas = karrasSigmas(n);
    double[] ts = new double[n];
    for (int i = 0; i < n; i++) {
      ts[i] = NumpyRanges.round(schedule.timestepOf(sigmas[i]));
    }
    return ts;
  }

  /** Karras sigmas between the table's ends. */
  private double[] karrasSigmas(int n) {
    return KarrasSigmas.of(schedule.sigma(0), schedule.sigma(schedule.trainSteps() - 1), n);
  }

  /**
   * The N+1 float32 sigmas for these timesteps (sigma at each, then the final sigma); under
   * use_karras_sigmas the Karras sigmas themselves, not those of their rounded timesteps.
   */
  float[] sigmasFor(double[] timesteps) {
    int n = timesteps.length;
    double[] karrasSigmas = karras ? karrasSigmas(n) : null;
    float[] sigmas = new float[n + 1];
    for (int i = 0; i < n; i++) {
      sigmas[i] = (float) (karrasSigmas != null ? karrasSigmas[i] : schedule.sigmaAt(timesteps[i]));
    }
    sigmas[n] = finalSigmaZero ? 0f : schedule.sigma(0);
    return sigmas;
  }

  static DpmSolverCoefficients.Level[] levels(float[] sigmas) {
    DpmSolverCoefficients.Level[] out = new DpmSolverCoefficients.Level[sigmas.length];
    for (int i = 0; i < sigmas.length; i++) {
      out[i] = DpmSolverCoefficients.Level.ofKarrasSigma(sigmas[i]);
    }
    return out;
  }

  /**
   * diffusers' convert_model_output: x0 for DPM-Solver++, eps for DPM-Solver, thresholded when
   * configured. {@code scratch} is a batch-sized buffer, used only for DPM-Solver thresholding.
   */
  void convert(
      float[] modelOutput, float[] x, DpmSolverCoefficients.Level s, LatentShape shape,
      float[] out, float[] rowScratch, float[] scratch) {
    if (dataPrediction) {
      prediction.toX0(modelOutput, x, s.alpha(), s.sigma(), out);
      clipping.apply(out, shape, rowScratch);
      return;
    }
    prediction.toEpsilon(modelOutput, x, s.alpha(), s.sigma(), out);
    if (clipping.isActive()) {
      float a = s.alpha();
      float sg = s.sigma();
      for (int i = 0; i < out.length; i++) {
        scratch[i] = (x[i] - sg * out[i]) / a;
      }
      clipping.apply(scratch, shape, rowScratch);
      for (int i = 0; i < out.length; i++) {
        out[i] = (x[i] - a * scratch[i]) / sg;
      }
    }
  }
}
