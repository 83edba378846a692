package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.schedule.TimestepSpacing;

/**
 * A run whose latents live in k-diffusion form {@code x = x0 + sigma*eps} (the Euler samplers):
 * the initial noise is scaled up to the largest sigma and the model sees
 * {@code x / sqrt(sigma^2 + 1)}, the variance-preserving latent it was trained on. Its buffers are
 * allocated when the run is planned.
 */
abstract class KarrasFormRun extends SamplerRun {
  /** N+1 sigmas: one per step, then the final one. */
  protected final float[] sigmas;
  private final double initNoiseSigma;
  private final PredictionType prediction;
  /** The x0 predicted at the current step. */
  protected final float[] x0;
  private final float[] noiseBuffer;

  /** {@code spacing} is the one the timesteps were laid out by; it sets the initial noise scale. */
  KarrasFormRun(
      LatentShape shape, double[] timesteps, float[] sigmas, TimestepSpacing spacing,
      PredictionType prediction, boolean drawsNoise) {
    super(shape, timesteps);
    this.sigmas = sigmas;
    this.initNoiseSigma = EulerSigmas.initNoiseSigma(sigmas, spacing == TimestepSpacing.LEADING);
    this.prediction = prediction;
    this.x0 = new float[shape.size()];
    this.noiseBuffer = drawsNoise ? new float[shape.size()] : new float[0];
  }

  @Override
  public double initNoiseSigma() {
    return initNoiseSigma;
  }

  @Override
  public void scaleModelInput(float[] x, int step, float[] out) {
    checkSize("latents", x);
    checkSize("model input buffer", out);
    EulerSigmas.scaleInput(x, sigmas[step], out);
  }

  /** Writes {@link #x0} from the model output at {@code sigma}. */
  protected final void predictX0(float[] modelOutput, float[] x, float sigma) {
    EulerSigmas.toX0(prediction, modelOutput, x, sigma, x0);
  }

  /** Draws this step's fresh N(0, 1) noise into the run's buffer and returns the buffer. */
  protected final float[] drawNoise(NoiseSource noise) {
    noise.fill(noiseBuffer, shape);
    return noiseBuffer;
  }
}
