package org.diffusionbatch.core.sampler;

import java.util.Arrays;

/** The sampling loop: scale the input, ask the model, check its output, step. */
public final class Sampling {
  private Sampling() {}

  /** Initial latents: fresh N(0, 1) noise times the run's init_noise_sigma (float32). */
  public static float[] initialLatents(SamplerRun run, NoiseSource noise) {
    float[] x = new float[run.shape().size()];
    noise.fill(x, run.shape());
    float s = (float) run.initNoiseSigma();
    for (int i = 0; i < x.length; i++) {
      x[i] = x[i] * s;
    }
    return x;
  }

  /**
   * Runs every step of {@code run} from latents {@code x} (updated in place).
   *
   * @return what the pipeline decodes ({@link SamplerRun#result})
   * @throws NonFiniteOutputException if the model returns NaN or infinity at some step
   */
  public static float[] run(SamplerRun run, float[] x, Denoiser denoiser, NoiseSource noise) {
    int size = run.shape().size();
    float[] input = new float[size];
    float[] output = new float[size];
    for (int k = 0; k < run.steps(); k++) {
      run.scaleModelInput(x, k, input);
      denoiser.predict(input, k, run.timestep(k), output);
      checkFinite(output, run.shape(), k, run.timestep(k));
      run.step(k, output, x, noise);
    }
    return run.result(x);
  }

  /** Throws {@link NonFiniteOutputException} naming the rows of {@code a} that hold NaN/inf. */
  public static void checkFinite(float[] a, LatentShape shape, int step, double timestep) {
    int row = shape.rowSize();
    int[] bad = null;
    int count = 0;
    for (int b = 0; b < shape.batch(); b++) {
      for (int i = b * row, end = i + row; i < end; i++) {
        if (!Float.isFinite(a[i])) {
          if (bad == null) {
            bad = new int[shape.batch()];
          }
          bad[count++] = b;
          break;
        }
      }
    }
    if (bad != null) {
      throw new NonFiniteOutputException(step, timestep, Arrays.copyOf(bad, count));
    }
  }
}
