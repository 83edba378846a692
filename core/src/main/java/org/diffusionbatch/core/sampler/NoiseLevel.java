package org.diffusionbatch.core.sampler;

/**
 * A noise level of the variance-preserving process {@code x_t = α_t·x0 + σ_t·ε} with its half
 * log-SNR {@code λ_t = ln(α_t/σ_t)}, the variable DPM-Solver integrates over (Lu et al. 2022a,
 * arXiv:2206.00927, Sec. 3.1). float32, like diffusers' 0-d tensors.
 */
record NoiseLevel(float alpha, float sigma, float lambda) {
  /**
   * From a k-diffusion sigma {@code s = σ_t/α_t}: {@code α_t = 1/√(s² + 1)}, {@code σ_t = s·α_t}
   * (diffusers' {@code _sigma_to_alpha_sigma_t}), {@code λ_t = ln α_t − ln σ_t}.
   */
  static NoiseLevel ofKarrasSigma(float s) {
    float alpha = 1f / (float) Math.sqrt(s * s + 1f);
    float sigma = s * alpha;
    return new NoiseLevel(alpha, sigma, (float) Math.log(alpha) - (float) Math.log(sigma));
  }

  /** The levels of a run's N+1 sigmas. */
  static NoiseLevel[] ofKarrasSigmas(float[] sigmas) {
    NoiseLevel[] out = new NoiseLevel[sigmas.length];
    for (int i = 0; i < sigmas.length; i++) {
      out[i] = ofKarrasSigma(sigmas[i]);
    }
    return out;
  }
}
