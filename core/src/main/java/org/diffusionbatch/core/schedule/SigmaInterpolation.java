package org.diffusionbatch.core.schedule;

/** Moving between timesteps and sigmas of a float32 sigma table, as numpy does in diffusers. */
final class SigmaInterpolation {
  private SigmaInterpolation() {}

  /** {@code np.interp(t, arange(len(table)), table)} in float64. */
  static double interp(double t, float[] table) {
    int last = table.length - 1;
    if (t <= 0) {
      return table[0];
    }
    if (t >= last) {
      return table[last];
    }
    int j = (int) Math.floor(t);
    if (j == t) {
      return table[j];
    }
    double slope = ((double) table[j + 1] - table[j]);
    return slope * (t - j) + table[j];
  }

  /**
   * diffusers' {@code _sigma_to_t}: find the table interval holding log(sigma) and interpolate the
   * index linearly in log sigma, clipped to the table.
   */
  static double sigmaToT(double sigma, float[] logSigmas) {
    double logSigma = Math.log(Math.max(sigma, 1e-10));
    int n = logSigmas.length;
    // cumsum(dists >= 0).argmax(): the last index whose log sigma is <= log(sigma), or 0 if none
    int low = 0;
    int count = 0;
    int best = -1;
    for (int i = 0; i < n; i++) {
      if (logSigma - logSigmas[i] >= 0) {
        count++;
      }
      if (count > best) {
        best = count;
        low = i;
      }
    }
    low = Math.min(low, n - 2);
    double lo = logSigmas[low];
    double hi = logSigmas[low + 1];
    double w = (lo - logSigma) / (lo - hi);
    w = Math.max(0, Math.min(1, w));
    return (1 - w) * low + w * (low + 1);
  }
}
