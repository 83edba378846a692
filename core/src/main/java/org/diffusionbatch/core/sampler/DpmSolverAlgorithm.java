package org.diffusionbatch.core.sampler;

/** diffusers' {@code algorithm_type} for the DPM-Solver schedulers. */
enum DpmSolverAlgorithm {
  /** DPM-Solver: integrates the noise prediction (Lu et al. 2022a, arXiv:2206.00927). */
  DPMSOLVER,
  /** DPM-Solver++: integrates the data prediction (Lu et al. 2022b, arXiv:2211.01095). */
  DPMSOLVER_PLUS_PLUS,
  /** DPM-Solver++ on the reverse SDE: data prediction plus fresh noise every step. */
  SDE_DPMSOLVER_PLUS_PLUS;

  static DpmSolverAlgorithm parse(String sampler, String value) {
    switch (value) {
      case "dpmsolver++": // diffusers' deis arrives here as dpmsolver++ (Samplers)
        return DPMSOLVER_PLUS_PLUS;
      case "dpmsolver":
        return DPMSOLVER;
      case "sde-dpmsolver++":
        return SDE_DPMSOLVER_PLUS_PLUS;
      default:
        throw new IllegalArgumentException(
            "sampler " + sampler + ": algorithm_type '" + value
                + "' is not supported; use dpmsolver++, sde-dpmsolver++ or dpmsolver");
    }
  }

  boolean predictsData() {
    return this != DPMSOLVER;
  }

  boolean isStochastic() {
    return this == SDE_DPMSOLVER_PLUS_PLUS;
  }
}
