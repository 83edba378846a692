package org.diffusionbatch.core.schedule;

/** The noise levels of Karras et al. 2022 (EDM), rho = 7, as diffusers' _convert_to_karras. */
public final class KarrasSigmas {
  private static final double RHO = 7.0;

  private KarrasSigmas() {}

  /** n sigmas from sigmaMax down to sigmaMin, evenly spaced in sigma^(1/rho); float64. */
  public static double[] of(double sigmaMin, double sigmaMax, int n) {
    double minInvRho = Math.pow(sigmaMin, 1 / RHO);
    double maxInvRho = Math.pow(sigmaMax, 1 / RHO);
    double[] ramp = NumpyRanges.linspace(0, 1, n);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), RHO);
    }
    return out;
  }
}
