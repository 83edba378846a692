package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.schedule.NoiseSchedule;
import org.diffusionbatch.core.schedule.TimestepSpacing;

/**
 * DDIM (Song et al. 2021; diffusers' DDIMScheduler): deterministic at eta 0, adds
 * {@code eta}-scaled fresh noise per step otherwise. {@code eta} is a run setting, not a diffusers
 * config key: give it as an override.
 */
final class DdimSampler implements Sampler {
  /** The override key for eta (diffusers passes it to step(), default 0). */
  static final String ETA = "eta";

  private final String name;
  private final SchedulerConfig config;
  private final NoiseSchedule schedule;
  private final PredictionType prediction;
  private final SampleClipping clipping;
  private final TimestepSpacing spacing;
  private final float finalAlphaCumprod;
  private final float eta;

  DdimSampler(String name, SchedulerConfig c) {
    this.name = name;
    this.config = c;
    this.schedule = TrainingSchedule.of(c);
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
  public String name() {
    return name;
  }

  @Override
  public SchedulerConfig config() {
    return config;
  }

  @Override
  public SamplerRun plan(int steps, LatentShape shape) {
    int train = schedule.trainSteps();
    TrainingSchedule.checkSteps(name, steps, train, "num_train_timesteps " + train);
    double[] timesteps = spacing.strided(train, steps, TrainingSchedule.stepsOffset(config), true);
    TrainingSchedule.checkTimesteps(name, timesteps, train);
    return new Run(shape, timesteps, train / steps);
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
