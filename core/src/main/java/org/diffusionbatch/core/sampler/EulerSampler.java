package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.schedule.KarrasSigmas;
import org.diffusionbatch.core.schedule.TimestepSpacing;

/**
 * Euler's method on the probability-flow ODE in k-diffusion form (Karras et al. 2022; diffusers'
 * EulerDiscreteScheduler with s_churn 0): {@code d = (x - x0)/sigma; x += d*(sigma_next - sigma)}.
 */
final class EulerSampler extends ScheduledSampler {
  private final TimestepSpacing spacing;
  private final boolean karras;
  private final boolean sigmaMinLast;
  private final boolean continuousTimesteps;

  EulerSampler(String name, SchedulerConfig c) {
    super(name, c, TrainingSchedule.forSigmas(supported(name, c)));
    this.spacing = TrainingSchedule.spacing(c);
    this.karras = c.getBoolean("use_karras_sigmas");
    String interpolation = c.getString("interpolation_type");
    if (!interpolation.equals("linear")) {
      throw new IllegalArgumentException(
          "sampler " + name + ": interpolation_type '" + interpolation
              + "' is not supported; use linear");
    }
    String finalType = c.getString("final_sigmas_type");
    if (!finalType.equals("zero") && !finalType.equals("sigma_min")) {
      throw new IllegalArgumentException(
          "sampler " + name + ": final_sigmas_type '" + finalType + "' is not supported; use zero"
              + " or sigma_min");
    }
    this.sigmaMinLast = finalType.equals("sigma_min");
    String timestepType = c.getString("timestep_type");
    if (!timestepType.equals("discrete") && !timestepType.equals("continuous")) {
      throw new IllegalArgumentException(
          "sampler " + name + ": timestep_type '" + timestepType + "' is not supported; use"
              + " discrete or continuous");
    }
    // diffusers uses EDM's continuous timesteps only together with v_prediction
    this.continuousTimesteps =
        timestepType.equals("continuous") && prediction == PredictionType.V_PREDICTION;
  }

  /** Rejects the sigma spacings diffusers offers that this sampler does not implement. */
  private static SchedulerConfig supported(String name, SchedulerConfig c) {
    TrainingSchedule.rejectIfTrue(c, name, "use_exponential_sigmas", "use_beta_sigmas");
    return c;
  }

  @Override
  protected double[] timesteps(int steps) {
    return stridedTimesteps(spacing, steps, false);
  }

  @Override
  protected SamplerRun run(LatentShape shape, double[] timesteps) {
    int steps = timesteps.length;
    float[] sigmas = EulerSigmas.interpolated(schedule, timesteps, sigmaMinLast);
    if (karras) {
      double max = config.findDouble("sigma_max").orElse(schedule.sigmaAt(timesteps[0]));
      double min = config.findDouble("sigma_min").orElse(schedule.sigmaAt(timesteps[steps - 1]));
      double[] k = KarrasSigmas.of(min, max, steps);
      for (int i = 0; i < steps; i++) {
        sigmas[i] = (float) k[i];
        timesteps[i] = (float) schedule.timestepOf(k[i]);
      }
    }
    if (continuousTimesteps) {
      for (int i = 0; i < steps; i++) {
        timesteps[i] = (float) (0.25 * Math.log(sigmas[i]));
      }
    }
    return new Run(shape, timesteps, sigmas);
  }

  private final class Run extends KarrasFormRun {
    Run(LatentShape shape, double[] timesteps, float[] sigmas) {
      super(shape, timesteps, sigmas, spacing, prediction, false);
    }

    @Override
    protected void advance(int k, float[] modelOutput, float[] x, NoiseSource noise) {
      float sigma = sigmas[k];
      predictX0(modelOutput, x, sigma);
      float dt = sigmas[k + 1] - sigma;
      for (int i = 0; i < x.length; i++) {
        float d = (x[i] - x0[i]) / sigma;
        x[i] = x[i] + d * dt;
      }
    }
  }
}
