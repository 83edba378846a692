package org.diffusionbatch.core.schedule;

/**
 * The training noise schedule shared by every sampler: betas, their cumulative product
 * {@code alphas_cumprod} (abar) and the k-diffusion sigmas {@code sqrt((1 - abar) / abar)}, all
 * float32 as diffusers holds them.
 */
public final class NoiseSchedule {
  /** diffusers' floor for the last abar under zero terminal SNR, so its sigma stays finite. */
  public static final float ZERO_SNR_TERMINAL_ALPHA_CUMPROD = 0x1p-24f;

  private final float[] betas;
  private final float[] alphasCumprod;
  private final float[] sigmas;
  private final float[] logSigmas;

  private NoiseSchedule(float[] betas, float[] alphasCumprod) {
    this.betas = betas;
    this.alphasCumprod = alphasCumprod;
    this.sigmas = new float[alphasCumprod.length];
    this.logSigmas = new float[alphasCumprod.length];
    for (int t = 0; t < alphasCumprod.length; t++) {
      float a = alphasCumprod[t];
      sigmas[t] = (float) Math.sqrt((1f - a) / a);
      logSigmas[t] = (float) Math.log(sigmas[t]);
    }
  }

  /** A schedule from betas; {@code rescaleZeroSnr} applies diffusers' rescale_betas_zero_snr. */
  public static NoiseSchedule fromBetas(float[] betas, boolean rescaleZeroSnr) {
    if (betas.length < 2) {
      throw new IllegalArgumentException(
          "a noise schedule needs at least 2 training timesteps, got " + betas.length);
    }
    float[] b = rescaleZeroSnr ? BetaSchedule.rescaleZeroTerminalSnr(betas) : betas.clone();
    return new NoiseSchedule(b, cumprod(b));
  }

  /**
   * The schedule a diffusers config describes: {@code trained_betas} if given, else
   * {@code beta_schedule} from {@code beta_start} to {@code beta_end} over
   * {@code num_train_timesteps}, then {@code rescale_betas_zero_snr}.
   */
  public static NoiseSchedule of(
      String betaSchedule, double betaStart, double betaEnd, int trainSteps, float[] trainedBetas,
      boolean rescaleZeroSnr) {
    float[] betas =
        trainedBetas != null
            ? trainedBetas.clone()
            : BetaSchedule.named(betaSchedule, betaStart, betaEnd, trainSteps);
    return fromBetas(betas, rescaleZeroSnr);
  }

  /** torch.cumprod on float32: the running product is kept in double, each output rounded. */
  private static float[] cumprod(float[] betas) {
    float[] out = new float[betas.length];
    double running = 1.0;
    for (int i = 0; i < betas.length; i++) {
      running *= (1f - betas[i]);
      out[i] = (float) running;
    }
    return out;
  }

  /**
   * The same schedule with the last abar raised to 2^-24, as the sigma-based diffusers schedulers
   * (Euler, DPM-Solver) do under zero terminal SNR so the first sigma is finite.
   */
  public NoiseSchedule withTerminalAlphaFloor() {
    float[] ac = alphasCumprod.clone();
    ac[ac.length - 1] = ZERO_SNR_TERMINAL_ALPHA_CUMPROD;
    return new NoiseSchedule(betas, ac);
  }

  public int trainSteps() {
    return alphasCumprod.length;
  }

  public float alphaCumprod(int t) {
    return alphasCumprod[t];
  }

  /** k-diffusion sigma of training timestep t. */
  public float sigma(int t) {
    return sigmas[t];
  }

  public float[] betas() {
    return betas.clone();
  }

  /** Sigma at a possibly fractional timestep, interpolated linearly (numpy's np.interp). */
  public double sigmaAt(double t) {
    return SigmaInterpolation.interp(t, sigmas);
  }

  /** Timestep of a sigma, interpolating log sigma between table entries (diffusers' _sigma_to_t). */
  public double timestepOf(double sigma) {
    return SigmaInterpolation.sigmaToT(sigma, logSigmas);
  }
}
