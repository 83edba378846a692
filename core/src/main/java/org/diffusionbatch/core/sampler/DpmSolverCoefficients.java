package org.diffusionbatch.core.sampler;

/**
 * The exponential-integrator weights of DPM-Solver (noise prediction, Lu et al. 2022) and
 * DPM-Solver++ (data prediction, Lu et al. 2022b) for one update from a base noise level s to t.
 * An update is {@code x_t = cx*x_s + c0*D0 + c1*D1 + c2*D2 (+ cNoise*z)} with D the model-output
 * differences and z fresh noise (SDE variant only).
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
  /** Weight of the fresh noise (SDE-DPM-Solver++ only, else 0). */
  final float cNoise;
  /** h = lambda_t - lambda_s. */
  final float h;

  private DpmSolverCoefficients(float cx, float c0, float c1Taylor, float c2, float cNoise, float h) {
    this.cx = cx;
    this.c0 = c0;
    this.c1Midpoint = 0.5f * c0;
    this.c1Taylor = c1Taylor;
    this.c2 = c2;
    this.cNoise = cNoise;
    this.h = h;
  }

  static DpmSolverCoefficients between(Level s, Level t, DpmSolverAlgorithm algorithm) {
    float h = t.lambda() - s.lambda();
    float hh = h * h;
    if (algorithm.isStochastic()) {
      // SDE-DPM-Solver++ (Lu et al. 2022b, Sec. 5): e^-2h weights and sigma_t*sqrt(1-e^-2h) noise
      float e1 = (float) Math.exp(-h);
      float one2 = 1f - (float) Math.exp(-2f * h);
      return new DpmSolverCoefficients(
          t.sigma() / s.sigma() * e1,
          t.alpha() * one2,
          t.alpha() * (one2 / (-2f * h) + 1f),
          0f,
          t.sigma() * (float) Math.sqrt(one2),
          h);
    }
    if (algorithm.predictsData()) {
      // phi terms in e^-h: the data-prediction (++) integrator
      float em1 = (float) Math.exp(-h) - 1f;
      return new DpmSolverCoefficients(
          t.sigma() / s.sigma(),
          -(t.alpha() * em1),
          t.alpha() * (em1 / h + 1f),
          -(t.alpha() * ((em1 + h) / hh - 0.5f)),
          0f,
          h);
    }
    float ep1 = (float) Math.exp(h) - 1f;
    return new DpmSolverCoefficients(
        t.alpha() / s.alpha(),
        -(t.sigma() * ep1),
        -(t.sigma() * (ep1 / h - 1f)),
        -(t.sigma() * ((ep1 - h) / hh - 0.5f)),
        0f,
        h);
  }
}
