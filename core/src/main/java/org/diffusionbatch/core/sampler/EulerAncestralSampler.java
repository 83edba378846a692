package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.schedule.TimestepSpacing;

/**
 * Euler ancestral (k-diffusion's sample_euler_ancestral; diffusers'
 * EulerAncestralDiscreteScheduler): an Euler step down to sigma_down, then fresh noise of
 * sigma_up, so that sigma_down^2 + sigma_up^2 = sigma_next^2.
 */
final class EulerAncestralSampler extends ScheduledSampler {
  private final TimestepSpacing spacing;

  EulerAncestralSampler(String name, SchedulerConfig c) {
    super(name, c, TrainingSchedule.forSigmas(c));
    this.spacing = TrainingSchedule.spacing(c);
  }

  @Override
  protected double[] timesteps(int steps) {
    return stridedTimesteps(spacing, steps, false);
  }

  @Override
  protected SamplerRun run(LatentShape shape, double[] timesteps) {
    return new Run(shape, timesteps, EulerSigmas.interpolated(schedule, timesteps, false));
  }

  private final class Run extends KarrasFormRun {
    Run(LatentShape shape, double[] timesteps, float[] sigmas) {
      super(shape, timesteps, sigmas, spacing, prediction, true);
    }

    @Override
    protected void advance(int k, float[] modelOutput, float[] x, NoiseSource noise) {
      float from = sigmas[k];
      float to = sigmas[k + 1];
      // k-diffusion's get_ancestral_step with eta 1
      float up = (float) Math.sqrt(to * to * (from * from - to * to) / (from * from));
      float down = (float) Math.sqrt(to * to - up * up);
      predictX0(modelOutput, x, from);
      float dt = down - from;
      float[] z = drawNoise(noise);
      for (int i = 0; i < x.length; i++) {
        float d = (x[i] - x0[i]) / from;
        x[i] = (x[i] + d * dt) + z[i] * up;
      }
    }
  }
}
