package org.diffusionbatch.core.schedule;

/** numpy's linspace/arange arithmetic in float64, so timesteps round exactly as numpy's do. */
public final class NumpyRanges {
  private NumpyRanges() {}

  /** {@code np.linspace(start, stop, n)} with the endpoint: {@code i*step + start}, last = stop. */
  public static double[] linspace(double start, double stop, int n) {
    double[] y = new double[n];
    if (n == 1) {
      y[0] = start;
      return y;
    }
    double step = (stop - start) / (n - 1);
    for (int i = 0; i < n; i++) {
      y[i] = i * step + start;
    }
    y[n - 1] = stop;
    return y;
  }

  /** {@code np.linspace(start, stop, n, endpoint=False)}. */
  public static double[] linspaceNoEndpoint(double start, double stop, int n) {
    double[] y = new double[n];
    double step = (stop - start) / n;
    for (int i = 0; i < n; i++) {
      y[i] = i * step + start;
    }
    return y;
  }

  /** numpy's round: half to even. */
  public static double round(double v) {
    return Math.rint(v);
  }
}
