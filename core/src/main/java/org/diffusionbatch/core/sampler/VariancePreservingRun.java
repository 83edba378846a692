package org.diffusionbatch.core.sampler;

/**
 * A run whose latents live in variance-preserving form {@code x = sqrt(abar)*x0 + sqrt(1-abar)*eps}
 * (DDPM, DDIM, LCM): each step predicts x0 at the current abar, thresholded or clipped as
 * configured, and may add fresh noise. Its buffers are allocated when the run is planned.
 */
abstract class VariancePreservingRun extends SamplerRun {
  private final PredictionType prediction;
  private final SampleClipping clipping;
  /** The x0 predicted at the current step. */
  protected final float[] x0;
  private final float[] rowScratch;
  private final float[] noiseBuffer;

  VariancePreservingRun(
      LatentShape shape, double[] timesteps, PredictionType prediction, SampleClipping clipping,
      boolean drawsNoise) {
    super(shape, timesteps);
    this.prediction = prediction;
    this.clipping = clipping;
    this.x0 = new float[shape.size()];
    this.rowScratch = clipping.newScratch(shape);
    this.noiseBuffer = drawsNoise ? new float[shape.size()] : new float[0];
  }

  /** Writes {@link #x0} from the model output at cumulative alpha {@code alphaBar}, then clips it. */
  protected final void predictX0(float[] modelOutput, float[] x, float alphaBar) {
    prediction.toX0(
        modelOutput, x, (float) Math.sqrt(alphaBar), (float) Math.sqrt(1f - alphaBar), x0);
    clipping.apply(x0, shape, rowScratch);
  }

  /** Writes the noise prediction eps from the model output at cumulative alpha {@code alphaBar}. */
  protected final void predictEpsilon(float[] modelOutput, float[] x, float alphaBar, float[] eps) {
    prediction.toEpsilon(
        modelOutput, x, (float) Math.sqrt(alphaBar), (float) Math.sqrt(1f - alphaBar), eps);
  }

  /** Draws this step's fresh N(0, 1) noise into the run's buffer and returns the buffer. */
  protected final float[] drawNoise(NoiseSource noise) {
    noise.fill(noiseBuffer, shape);
    return noiseBuffer;
  }

  /** {@code x += std * z} with fresh noise z. */
  protected final void addNoise(NoiseSource noise, float std, float[] x) {
    float[] z = drawNoise(noise);
    for (int i = 0; i < x.length; i++) {
      x[i] = x[i] + std * z[i];
    }
  }
}
