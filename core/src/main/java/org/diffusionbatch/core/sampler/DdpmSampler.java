package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.schedule.TimestepSpacing;

/**
 * Ancestral sampling of the DDPM posterior q(x_{t-1} | x_t, x0) (Ho et al. 2020; diffusers'
 * DDPMScheduler): the 1000-step baseline. Noise is drawn at every step whose timestep is above 0.
 */
final class DdpmSampler extends ScheduledSampler {
  private final SampleClipping clipping;
  private final TimestepSpacing spacing;
  private final String varianceType;

  DdpmSampler(String name, SchedulerConfig c) {
    super(name, c, TrainingSchedule.of(c));
    this.clipping = SampleClipping.fromConfig(c);
    this.spacing = TrainingSchedule.spacing(c);
    // a null variance_type falls through to the fixed_small posterior variance in diffusers
    this.varianceType = c.findString("variance_type").orElse("fixed_small");
    switch (varianceType) {
      case "fixed_small":
      case "fixed_small_log":
      case "fixed_large":
        break;
      default:
        throw new IllegalArgumentException(
            "sampler " + name + ": variance_type '" + varianceType
                + "' is not supported; use fixed_small, fixed_small_log or fixed_large");
    }
  }

  @Override
  protected double[] timesteps(int steps) {
    return stridedTimesteps(spacing, steps, true);
  }

  @Override
  protected SamplerRun run(LatentShape shape, double[] timesteps) {
    return new Run(shape, timesteps);
  }

  /** diffusers' _get_variance, as the standard deviation the noise is scaled by. */
  private float posteriorStd(float beta, float betaPrev, float currentBeta) {
    float variance = Math.max(betaPrev / beta * currentBeta, 1e-20f);
    switch (varianceType) {
      case "fixed_small_log":
        return (float) Math.exp(0.5f * (float) Math.log(variance));
      case "fixed_large":
        return (float) Math.sqrt(currentBeta);
      default:
        return (float) Math.sqrt(variance);
    }
  }

  private final class Run extends VariancePreservingRun {
    Run(LatentShape shape, double[] timesteps) {
      super(shape, timesteps, prediction, clipping, true);
    }

    @Override
    protected void advance(int k, float[] modelOutput, float[] x, NoiseSource noise) {
      int t = (int) timesteps[k];
      int prevT = isLastStep(k) ? -1 : (int) timesteps[k + 1];
      float a = schedule.alphaCumprod(t);
      float aPrev = prevT >= 0 ? schedule.alphaCumprod(prevT) : 1f;
      float beta = 1f - a;
      float betaPrev = 1f - aPrev;
      float currentAlpha = a / aPrev;
      float currentBeta = 1f - currentAlpha;

      predictX0(modelOutput, x, a);

      // posterior mean: weights of x0 and x_t (Ho et al. eq. 7)
      float cx0 = ((float) Math.sqrt(aPrev) * currentBeta) / beta;
      float cxt = ((float) Math.sqrt(currentAlpha) * betaPrev) / beta;
      for (int i = 0; i < x.length; i++) {
        x[i] = cx0 * x0[i] + cxt * x[i];
      }
      if (t > 0) {
        addNoise(noise, posteriorStd(beta, betaPrev, currentBeta), x);
      }
    }
  }
}
