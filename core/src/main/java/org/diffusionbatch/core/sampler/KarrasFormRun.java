package org.diffusionbatch.core.sampler;

/**
 * A run whose latents live in k-diffusion form {@code x = x0 + sigma*eps} (the Euler samplers):
 * the initial noise is scaled up to the largest sigma and the model sees
 * {@code x / sqrt(sigma^2 + 1)}, the variance-preserving latent it was trained on.
 */
abstract class KarrasFormRun extends SamplerRun {
  /** N+1 sigmas: one per step, then the final one. */
  protected final float[] sigmas;
  private final double initNoiseSigma;

  KarrasFormRun(LatentShape shape, double[] timesteps, float[] sigmas, double initNoiseSigma) {
    super(shape, timesteps);
    this.sigmas = sigmas;
    this.initNoiseSigma = initNoiseSigma;
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
}
