package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.schedule.NoiseSchedule;

/** The sigma plan the Euler schedulers share: sigmas interpolated at the timesteps, then 0. */
final class EulerSigmas {
  private EulerSigmas() {}

  /** N+1 float32 sigmas, interpolated from the table at (possibly fractional) timesteps. */
  static float[] interpolated(NoiseSchedule schedule, double[] timesteps, boolean sigmaMinLast) {
    int n = timesteps.length;
    float[] sigmas = new float[n + 1];
    for (int i = 0; i < n; i++) {
      sigmas[i] = (float) schedule.sigmaAt(timesteps[i]);
    }
    sigmas[n] = sigmaMinLast ? schedule.sigma(0) : 0f;
    return sigmas;
  }

  /**
   * The initial noise scale: the largest sigma, or sqrt(max^2 + 1) under leading spacing (where
   * the first timestep is not the noisiest).
   */
  static double initNoiseSigma(float[] sigmas, boolean leading) {
    float max = 0f;
    for (float s : sigmas) {
      max = Math.max(max, s);
    }
    return leading ? (float) Math.sqrt(max * max + 1f) : max;
  }

  /** The model input scale 1/sqrt(sigma^2+1) as the divisor diffusers uses. */
  static float inputDivisor(float sigma) {
    return (float) Math.sqrt(sigma * sigma + 1f);
  }

  static void scaleInput(float[] x, float sigma, float[] out) {
    float d = inputDivisor(sigma);
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] / d;
    }
  }

  /** x0 in k-diffusion form (x = x0 + sigma*eps) from a model output. */
  static void toX0(PredictionType p, float[] modelOutput, float[] x, float sigma, float[] x0) {
    switch (p) {
      case EPSILON:
        for (int i = 0; i < x.length; i++) {
          x0[i] = x[i] - sigma * modelOutput[i];
        }
        break;
      case V_PREDICTION: {
        float cOut = -sigma / (float) Math.sqrt(sigma * sigma + 1f);
        float cIn = sigma * sigma + 1f;
        for (int i = 0; i < x.length; i++) {
          x0[i] = modelOutput[i] * cOut + x[i] / cIn;
        }
        break;
      }
      default:
        System.arraycopy(modelOutput, 0, x0, 0, x.length);
    }
  }
}
