package org.diffusionbatch.core.sampler;

/** What the model predicts: diffusers' {@code prediction_type}. */
public enum PredictionType {
  EPSILON("epsilon"),
  V_PREDICTION("v_prediction"),
  SAMPLE("sample");

  private final String configName;

  PredictionType(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  public static PredictionType parse(String value) {
    for (PredictionType p : values()) {
      if (p.configName.equals(value)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "scheduler config prediction_type '" + value
            + "' is not supported; use epsilon, v_prediction or sample");
  }

  /**
   * Writes the data prediction x0 for a variance-preserving latent {@code x = a*x0 + s*eps}.
   *
   * @param a sqrt(abar) (alpha_t)
   * @param s sqrt(1 - abar) (sigma_t)
   */
  void toX0(float[] modelOutput, float[] x, float a, float s, float[] x0) {
    int n = x.length;
    switch (this) {
      case EPSILON:
        for (int i = 0; i < n; i++) {
          x0[i] = (x[i] - s * modelOutput[i]) / a;
        }
        break;
      case V_PREDICTION:
        for (int i = 0; i < n; i++) {
          x0[i] = a * x[i] - s * modelOutput[i];
        }
        break;
      default:
        if (x0 != modelOutput) {
          System.arraycopy(modelOutput, 0, x0, 0, n);
        }
    }
  }

  /** Writes the noise prediction eps for a variance-preserving latent {@code x = a*x0 + s*eps}. */
  void toEpsilon(float[] modelOutput, float[] x, float a, float s, float[] eps) {
    int n = x.length;
    switch (this) {
      case EPSILON:
        if (eps != modelOutput) {
          System.arraycopy(modelOutput, 0, eps, 0, n);
        }
        break;
      case V_PREDICTION:
        for (int i = 0; i < n; i++) {
          eps[i] = a * modelOutput[i] + s * x[i];
        }
        break;
      default:
        for (int i = 0; i < n; i++) {
          eps[i] = (x[i] - a * modelOutput[i]) / s;
        }
    }
  }
}
