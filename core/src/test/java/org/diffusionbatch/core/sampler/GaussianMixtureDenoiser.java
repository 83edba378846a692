package org.diffusionbatch.core.sampler;

import java.util.List;
import java.util.Map;
import org.diffusionbatch.core.schedule.NoiseSchedule;

/**
 * The reference trajectories' analytic model ("gmm1d"): every latent element is drawn from a 1-D
 * Gaussian mixture, so the exact noise prediction at abar is a closed-form posterior mean.
 * Computed in float64 per element, rounded to float32, as the reference README specifies.
 */
final class GaussianMixtureDenoiser {
  private final double[] logWeights;
  private final double[] means;
  private final double[] stds;

  GaussianMixtureDenoiser(double[] weights, double[] means, double[] stds) {
    this.logWeights = new double[weights.length];
    for (int k = 0; k < weights.length; k++) {
      logWeights[k] = Math.log(weights[k]);
    }
    this.means = means;
    this.stds = stds;
  }

  @SuppressWarnings("unchecked")
  static GaussianMixtureDenoiser fromJson(Map<String, Object> m) {
    return new GaussianMixtureDenoiser(
        doubles((List<Number>) m.get("weights")), doubles((List<Number>) m.get("means")),
        doubles((List<Number>) m.get("stds")));
  }

  private static double[] doubles(List<Number> l) {
    return l.stream().mapToDouble(Number::doubleValue).toArray();
  }

  /** Writes the model output for latents {@code x} at timestep t of {@code schedule}. */
  void predict(float[] x, double t, NoiseSchedule schedule, PredictionType prediction, float[] out) {
    double abar = schedule.alphaCumprod((int) Math.rint(t));
    double a = Math.sqrt(abar);
    double s = Math.sqrt(1 - abar);
    int n = means.length;
    double[] logp = new double[n];
    double[] var = new double[n];
    for (int i = 0; i < x.length; i++) {
      double xi = x[i];
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < n; k++) {
        var[k] = a * a * stds[k] * stds[k] + s * s;
        double d = xi - a * means[k];
        logp[k] = logWeights[k] - 0.5 * Math.log(2 * Math.PI * var[k]) - d * d / (2 * var[k]);
        max = Math.max(max, logp[k]);
      }
      double z = 0;
      for (int k = 0; k < n; k++) {
        z += Math.exp(logp[k] - max);
      }
      double score = 0;
      for (int k = 0; k < n; k++) {
        double r = Math.exp(logp[k] - max) / z;
        score += r * (a * means[k] - xi) / var[k];
      }
      double eps = -s * score;
      double value = eps;
      if (prediction == PredictionType.V_PREDICTION) {
        double x0 = (xi - s * eps) / a;
        value = a * eps - s * x0;
      } else if (prediction == PredictionType.SAMPLE) {
        value = (xi - s * eps) / a;
      }
      out[i] = (float) value;
    }
  }
}
