package org.diffusionbatch.core.sampler;

import java.util.function.DoubleUnaryOperator;

/**
 * Data that is one Gaussian N(mu, s0^2) per element: the exact denoiser is linear and the
 * probability-flow ODE has a closed-form solution, so samplers can be checked against the truth.
 * With s0 = 0 (a point mass) every sampler must end exactly at mu.
 */
final class GaussianData {
  final double mu;
  final double s0;

  GaussianData(double mu, double s0) {
    this.mu = mu;
    this.s0 = s0;
  }

  /**
   * The exact model for this data as a {@link Denoiser}.
   *
   * @param sigmaOfTimestep the k-diffusion sigma the model takes a timestep to mean
   */
  Denoiser model(PredictionType prediction, DoubleUnaryOperator sigmaOfTimestep) {
    return (input, step, timestep, out) -> {
      double sigma = sigmaOfTimestep.applyAsDouble(timestep);
      double a = 1 / Math.sqrt(sigma * sigma + 1);
      double s = sigma * a;
      double gain = a * s0 * s0 / (a * a * s0 * s0 + s * s);
      for (int i = 0; i < input.length; i++) {
        double x = input[i];
        double x0 = mu + gain * (x - a * mu);
        double eps = (x - a * x0) / s;
        double v;
        switch (prediction) {
          case EPSILON:
            v = eps;
            break;
          case V_PREDICTION:
            v = a * eps - s * x0;
            break;
          default:
            v = x0;
        }
        out[i] = (float) v;
      }
    };
  }

  /**
   * Where an exact sampler following the probability-flow ODE from VP latents {@code x} at
   * k-sigma {@code sigmaStart} ends: on the ODE, {@code z = (x - a*mu)/sqrt(a^2 s0^2 + s^2)} is
   * constant; at the last step's level {@code sigmaLast} the sampler returns the exact denoiser's
   * x0 estimate there (every sampler's final jump to sigma 0 does).
   */
  double[] exactResult(float[] x, double sigmaStart, double sigmaLast) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double z = standardize(x[i], sigmaStart);
      double a = 1 / Math.sqrt(sigmaLast * sigmaLast + 1);
      double s = sigmaLast * a;
      double spread = Math.sqrt(a * a * s0 * s0 + s * s);
      double gain = a * s0 * s0 / (spread * spread);
      out[i] = mu + gain * spread * z;
    }
    return out;
  }

  /** The ODE state at k-sigma {@code sigmaEnd} (no final denoising jump). */
  double[] odeState(float[] x, double sigmaStart, double sigmaEnd) {
    double a = 1 / Math.sqrt(sigmaEnd * sigmaEnd + 1);
    double s = sigmaEnd * a;
    double spread = Math.sqrt(a * a * s0 * s0 + s * s);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = a * mu + spread * standardize(x[i], sigmaStart);
    }
    return out;
  }

  private double standardize(double x, double sigma) {
    double a = 1 / Math.sqrt(sigma * sigma + 1);
    double s = sigma * a;
    return (x - a * mu) / Math.sqrt(a * a * s0 * s0 + s * s);
  }

  static double maxAbsDiff(double[] expected, float[] actual) {
    double m = 0;
    for (int i = 0; i < expected.length; i++) {
      m = Math.max(m, Math.abs(expected[i] - actual[i]));
    }
    return m;
  }
}
