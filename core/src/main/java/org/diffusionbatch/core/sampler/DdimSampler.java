package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.schedule.TimestepSpacing;

/**
 * DDIM (Song et al. 2021; diffusers' DDIMScheduler): deterministic at eta 0, adds
 * {@code eta}-scaled fresh noise per step otherwise. {@code eta} is a run setting, not a diffusers
 * config key: give it as an override.
 */
final class DdimSampler extends ScheduledSampler {
  /** The override key for eta (diffusers passes it to step(), default 0). */
  static final String ETA = "eta";

  private final SampleClipping clipping;
  private final TimestepSpacing spacing;
  private final float finalAlphaCumprod;
  private final float eta;

  DdimSampler(String name, SchedulerConfig c) {
    super(name, c, TrainingSchedule.of(c));
    this.clipping = SampleClipping.fromConfig(c);
    this.spacing = TrainingSchedule.spacing(c);
    this.finalAlphaCumprod = TrainingSchedule.finalAlphaCumprod(c, schedule);
    this.eta = c.has(ETA) ? (float) c.getDouble(ETA) : 0f;
    if (eta < 0) {
      throw new IllegalArgumentException("sampler " + name + ": eta must be >= 0, got " + eta);
    }
  }

  @Override
  protected double[] timesteps(int steps) {
    return stridedTimesteps(spacing, steps, true);
  }

  @Override
  protected SamplerRun run(LatentShape shape, double[] timesteps) {
    return new Run(shape, timesteps, schedule.trainSteps() / timesteps.length);
  }

  private final class Run extends VariancePreservingRun {
    private final int stride;
    private final float[] eps;

    Run(LatentShape shape, double[] timesteps, int stride) {
      super(shape, timesteps, prediction, clipping, eta > 0);
      this.stride = stride;
      this.eps = new float[shape.size()];
    }

    @Override
    protected void advance(int k, float[] modelOutput, float[] x, NoiseSource noise) {
      int t = (int) timesteps[k];
      // diffusers steps back by train // N whatever the spacing
      int prevT = t - stride;
      float a = schedule.alphaCumprod(t);
      float aPrev = prevT >= 0 ? schedule.alphaCumprod(prevT) : finalAlphaCumprod;
      float beta = 1f - a;
      float betaPrev = 1f - aPrev;

      predictX0(modelOutput, x, a);
      predictEpsilon(modelOutput, x, a, eps);

      float variance = (betaPrev / beta) * (1f - a / aPrev);
      float std = eta * (float) Math.sqrt(variance);
      float dir = (float) Math.sqrt(1f - aPrev - std * std);
      float saPrev = (float) Math.sqrt(aPrev);
      for (int i = 0; i < x.length; i++) {
        x[i] = saPrev * x0[i] + dir * eps[i];
      }
      if (eta > 0) {
        addNoise(noise, std, x);
      }
    }
  }
}
