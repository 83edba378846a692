package org.diffusionbatch.core.sampler;

/**
 * The exponential-integrator weights of DPM-Solver (noise prediction, Lu et al. 2022) and
 * DPM-Solver++ (data prediction, Lu et al. 2022b) for one update from a base noise level s to t.
 * An update is {@code x_t = cx*x_s + c0*D0 + c1*D1 + c2*D2} with D the model-output differences.
 * Scalars are float32 like diffusers' 0-d tensors.
 */
final class DpmSolverCoefficients {
  /** A noise level in VP form: alpha_t, sigma_t and half-log-SNR lambda = ln(alpha/sigma). */
  record Level(float alpha, float sigma, float lambda) {
    /** From a k-diffusion sigma: alpha = 1/sqrt(sigma^2+1), sigma_t = sigma*alpha. */
    static Level ofKarrasSigma(float k) {
      float alpha = 1f / (float) Math.sqrt(k * k + 1f);
      float sigma = k * alpha;
      return new Level(alpha, sigma, (float) Math.log(alpha) - (float) Math.log(sigma));
    }
  }

  /** Weight of the base sample. */
  final float cx;
  /** Weight of D0 (first-order term). */
  final float c0;
  /** Weight of D1 in the midpoint second-order update (half the first-order weight). */
  final float c1Midpoint;
  /** Weight of D1 in the Taylor (heun and third-order) updates. */
  final float c1Taylor;
  /** Weight of D2 in the third-order update. */
  final float c2;
  /** h = lambda_t - lambda_s. */
  final float h;

  private DpmSolverCoefficients(float cx, float c0, float c1Taylor, float c2, float h) {
    this.cx = cx;
    this.c0 = c0;
    this.c1Midpoint = 0.5f * c0;
    this.c1Taylor = c1Taylor;
    this.c2 = c2;
    this.h = h;
  }

  static DpmSolverCoefficients between(Level s, Level t, boolean dataPrediction) {
    float h = t.lambda() - s.lambda();
    float hh = h * h;
    if (dataPrediction) {
      // phi terms in e^-h: the data-prediction (++) integrator
      float em1 = (float) Math.exp(-h) - 1f;
      return new DpmSolverCoefficients(
          t.sigma() / s.sigma(),
          -(t.alpha() * em1),
          t.alpha() * (em1 / h + 1f),
          -(t.alpha() * ((em1 + h) / hh - 0.5f)),
          h);
    }
    float ep1 = (float) Math.exp(h) - 1f;
    return new DpmSolverCoefficients(
        t.alpha() / s.alpha(),
        -(t.sigma() * ep1),
        -(t.sigma() * (ep1 / h - 1f)),
        -(t.sigma() * ((ep1 - h) / hh - 0.5f)),
        h);
  }
}
