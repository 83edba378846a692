package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.schedule.NumpyRanges;

/**
 * Latent Consistency Model multistep sampling (diffusers' LCMScheduler): each step maps the
 * latents to a consistency-model estimate {@code denoised} and, except at the end, re-noises it to
 * the next timestep with fresh noise. The pipeline decodes the last {@code denoised}.
 */
final class LcmSampler extends ScheduledSampler {
  /** sigma_data of the consistency-model boundary condition. */
  private static final float SIGMA_DATA = 0.5f;

  private final SampleClipping clipping;
  private final int originalSteps;
  private final float timestepScaling;
  private final float finalAlphaCumprod;

  LcmSampler(String name, SchedulerConfig c) {
    super(name, c, TrainingSchedule.of(c));
    this.clipping = SampleClipping.fromConfig(c);
    this.originalSteps = c.getInt("original_inference_steps");
    this.timestepScaling = (float) c.getDouble("timestep_scaling");
    this.finalAlphaCumprod = TrainingSchedule.finalAlphaCumprod(c, schedule);
    int train = schedule.trainSteps();
    if (originalSteps < 1 || originalSteps > train) {
      throw new IllegalArgumentException(
          "sampler " + name + ": original_inference_steps " + originalSteps
              + " must be in 1.." + train + " (num_train_timesteps)");
    }
  }

  /** The distillation schedule: {@code (arange(1, original+1) * (train // original) - 1)}, descending. */
  private int[] originTimesteps() {
    int k = schedule.trainSteps() / originalSteps;
    int[] origin = new int[originalSteps];
    for (int i = 0; i < originalSteps; i++) {
      origin[i] = (originalSteps - i) * k - 1;
    }
    return origin;
  }

  @Override
  protected int maxSteps() {
    return Math.min(originalSteps, schedule.trainSteps());
  }

  @Override
  protected String maxStepsReason() {
    return "original_inference_steps " + originalSteps;
  }

  /** Evenly spaced picks from the distillation schedule (these always lie on the schedule). */
  @Override
  protected double[] timesteps(int steps) {
    int[] origin = originTimesteps();
    double[] idx = NumpyRanges.linspaceNoEndpoint(0, origin.length, steps);
    double[] timesteps = new double[steps];
    for (int i = 0; i < steps; i++) {
      timesteps[i] = origin[(int) Math.floor(idx[i])];
    }
    return timesteps;
  }

  @Override
  protected SamplerRun run(LatentShape shape, double[] timesteps) {
    return new Run(shape, timesteps);
  }

  @Override
  public SamplerRun plan(double[] timesteps, LatentShape shape) {
    int train = schedule.trainSteps();
    if (timesteps.length < 1) {
      throw new IllegalArgumentException("sampler " + name + ": custom timesteps are empty");
    }
    for (int i = 0; i < timesteps.length; i++) {
      double t = timesteps[i];
      if (t != Math.rint(t) || t < 0 || t >= train) {
        throw new IllegalArgumentException(
            "sampler " + name + ": custom timestep " + t + " must be an integer in 0.."
                + (train - 1));
      }
      if (i > 0 && t >= timesteps[i - 1]) {
        throw new IllegalArgumentException(
            "sampler " + name + ": custom timesteps must be strictly descending, got " + t
                + " after " + timesteps[i - 1]);
      }
    }
    return new Run(shape, timesteps.clone());
  }

  /** Its x0 buffer holds the step's consistency estimate {@code denoised}. */
  private final class Run extends VariancePreservingRun {
    Run(LatentShape shape, double[] timesteps) {
      super(shape, timesteps, prediction, clipping, true);
    }

    @Override
    protected void advance(int k, float[] modelOutput, float[] x, NoiseSource noise) {
      int t = (int) timesteps[k];
      int prevT = isLastStep(k) ? t : (int) timesteps[k + 1];
      float a = schedule.alphaCumprod(t);
      float aPrev = prevT >= 0 ? schedule.alphaCumprod(prevT) : finalAlphaCumprod;

      // boundary condition of the consistency model: c_skip -> 1 and c_out -> 0 as t -> 0
      float scaled = t * timestepScaling;
      float sd2 = SIGMA_DATA * SIGMA_DATA;
      float cSkip = sd2 / (scaled * scaled + sd2);
      float cOut = scaled / (float) Math.sqrt(scaled * scaled + sd2);

      predictX0(modelOutput, x, a);
      float[] denoised = x0;
      for (int i = 0; i < x.length; i++) {
        denoised[i] = cOut * denoised[i] + cSkip * x[i];
      }
      if (isLastStep(k)) {
        System.arraycopy(denoised, 0, x, 0, x.length);
        return;
      }
      float[] z = drawNoise(noise);
      float sa = (float) Math.sqrt(aPrev);
      float sb = (float) Math.sqrt(1f - aPrev);
      for (int i = 0; i < x.length; i++) {
        x[i] = sa * denoised[i] + sb * z[i];
      }
    }

    @Override
    public float[] result(float[] x) {
      return x0;
    }
  }
}
