package org.diffusionbatch.core.schedule;

import java.util.List;

/** The beta schedules diffusers names in {@code beta_schedule}, computed the way torch does. */
public final class BetaSchedule {
  /** The values {@code beta_schedule} may take. */
  public static final List<String> NAMES = List.of("linear", "scaled_linear", "squaredcos_cap_v2");

  private BetaSchedule() {}

  /** Betas for a named schedule; {@code start}/{@code end} are ignored by squaredcos_cap_v2. */
  public static float[] named(String name, double start, double end, int trainSteps) {
    switch (name) {
      case "linear":
        return TorchLinspace.float32(start, end, trainSteps);
      case "scaled_linear":
        return scaledLinear(start, end, trainSteps);
      case "squaredcos_cap_v2":
        return squaredCosineCapV2(trainSteps);
      default:
        throw new IllegalArgumentException(
            "scheduler config beta_schedule '" + name + "' is not supported; use one of " + NAMES
                + " or give trained_betas");
    }
  }

  /** Stable Diffusion's schedule: linear in sqrt(beta), squared in float32. */
  static float[] scaledLinear(double start, double end, int trainSteps) {
    float[] b = TorchLinspace.float32(Math.sqrt(start), Math.sqrt(end), trainSteps);
    for (int i = 0; i < b.length; i++) {
      b[i] = b[i] * b[i];
    }
    return b;
  }

  /** GLIDE's cosine schedule (diffusers' betas_for_alpha_bar, cosine, max_beta 0.999). */
  static float[] squaredCosineCapV2(int trainSteps) {
    float[] b = new float[trainSteps];
    for (int i = 0; i < trainSteps; i++) {
      double t1 = (double) i / trainSteps;
      double t2 = (double) (i + 1) / trainSteps;
      b[i] = (float) Math.min(1 - cosineAlphaBar(t2) / cosineAlphaBar(t1), 0.999);
    }
    return b;
  }

  private static double cosineAlphaBar(double t) {
    double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
    return c * c;
  }

  /**
   * Rescales betas to zero terminal SNR (Lin et al. 2023, Algorithm 1; diffusers'
   * rescale_zero_terminal_snr), in float32 like torch.
   */
  public static float[] rescaleZeroTerminalSnr(float[] betas) {
    int n = betas.length;
    float[] sqrtAbar = new float[n];
    double running = 1.0;
    for (int i = 0; i < n; i++) {
      running *= (1f - betas[i]);
      sqrtAbar[i] = (float) Math.sqrt((float) running);
    }
    float first = sqrtAbar[0];
    float last = sqrtAbar[n - 1];
    float scale = first / (first - last);
    float[] abar = new float[n];
    for (int i = 0; i < n; i++) {
      float v = (sqrtAbar[i] - last) * scale;
      abar[i] = v * v;
    }
    float[] out = new float[n];
    out[0] = 1f - abar[0];
    for (int i = 1; i < n; i++) {
      out[i] = 1f - abar[i] / abar[i - 1];
    }
    return out;
  }
}
