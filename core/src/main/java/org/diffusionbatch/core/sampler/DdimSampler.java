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

  private final PredictionType prediction;
  private final SampleClipping clipping;
  private final TimestepSpacing spacing;
  private final float finalAlphaCumprod;
  private final float eta;

  DdimSampler(String name, SchedulerConfig c) {
    super(name, c, TrainingSchedule.of(c));
    this.prediction = TrainingSchedule.prediction(c);
    this.clipping = SampleClipping.fromConfig(c);
    this.spacing = TrainingSchedule.spacing(c);
    this.finalAlphaCumprod = c.getBoolean("set_alpha_to_one") ? 1f : schedule.alphaCumprod(0);
    this.eta = c.has(ETA) ? (float) c.getDouble(ETA) : 0f;
    if (eta < 0) {
      throw new IllegalArgumentException("sampler " + name + ": eta must be >= 0, got " + eta);
    }
  }

  @Override
  protected double[] timesteps(int steps) {
    return spacing.strided(
        schedule.trainSteps(), steps, TrainingSchedule.stepsOffset(config), true);
  }

  @Override
  protected SamplerRun run(LatentShape shape, double[] timesteps) {
    return new Run(shape, timesteps, schedule.trainSteps() / timesteps.length);
  }

  private final class Run extends SamplerRun {
    private final int stride;
    private final float[] x0;
    private final float[] eps;
    private final float[] noiseBuffer;
    private final float[] rowScratch;

    Run(LatentShape shape, double[] timesteps, int stride) {
      super(shape, timesteps);
      this.stride = stride;
      this.x0 = new float[shape.size()];
      this.eps = new float[shape.size()];
      this.noiseBuffer = eta > 0 ? new float[shape.size()] : new float[0];
      this.rowScratch = clipping.newScratch(shape);
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
      float sa = (float) Math.sqrt(a);
      float sb = (float) Math.sqrt(beta);

      prediction.toX0(modelOutput, x, sa, sb, x0);
      prediction.toEpsilon(modelOutput, x, sa, sb, eps);
      clipping.apply(x0, shape, rowScratch);

      float variance = (betaPrev / beta) * (1f - a / aPrev);
      float std = eta * (float) Math.sqrt(variance);
      float dir = (float) Math.sqrt(1f - aPrev - std * std);
      float saPrev = (float) Math.sqrt(aPrev);
      for (int i = 0; i < x.length; i++) {
        x[i] = saPrev * x0[i] + dir * eps[i];
      }
      if (eta > 0) {
        noise.fill(noiseBuffer, shape);
        for (int i = 0; i < x.length; i++) {
          x[i] = x[i] + std * noiseBuffer[i];
        }
      }
    }
  }
}
