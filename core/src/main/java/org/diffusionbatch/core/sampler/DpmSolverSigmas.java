package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.schedule.KarrasSigmas;
import org.diffusionbatch.core.schedule.NoiseSchedule;
import org.diffusionbatch.core.schedule.NumpyRanges;
import org.diffusionbatch.core.schedule.TimestepSpacing;

/**
 * The noise levels of a DPM-Solver run, as diffusers' {@code set_timesteps} lays them out: integer
 * timesteps on a grid (or those of Karras sigmas), their N sigmas and a final sigma of zero or
 * sigma_min.
 */
final class DpmSolverSigmas {
  private DpmSolverSigmas() {}

  /**
   * The timesteps of an n-step run: under use_karras_sigmas those of the Karras sigmas, rounded,
   * or truncated as diffusers' int64 cast does where it skips the rounding ({@code round} false:
   * the multistep scheduler on the squaredcos_cap_v2 schedule); else the {@code grid} spacing up to
   * {@link #lastTimestep}.
   */
  static double[] timesteps(
      NoiseSchedule schedule, DpmSolverSettings settings, int n, TimestepSpacing grid, int stepsOffset,
      boolean round) {
    if (!settings.karras) {
      return grid.solverGrid(
          lastTimestep(schedule, settings.lambdaMinClipped), schedule.trainSteps(), n, stepsOffset);
    }
    double[] sigmas = karras(schedule, n);
    double[] ts = new double[n];
    for (int i = 0; i < n; i++) {
      double t = schedule.timestepOf(sigmas[i]);
      ts[i] = round ? NumpyRanges.round(t) : Math.floor(t);
    }
    return ts;
  }

  /**
   * The N+1 float32 sigmas for these timesteps (sigma at each, then the final sigma); under
   * use_karras_sigmas the Karras sigmas themselves, not those of their rounded timesteps.
   */
  static float[] sigmas(NoiseSchedule schedule, DpmSolverSettings settings, double[] timesteps) {
    int n = timesteps.length;
    double[] karrasSigmas = settings.karras ? karras(schedule, n) : null;
    float[] sigmas = new float[n + 1];
    for (int i = 0; i < n; i++) {
      sigmas[i] = (float) (karrasSigmas != null ? karrasSigmas[i] : schedule.sigmaAt(timesteps[i]));
    }
    sigmas[n] = settings.finalSigmaZero ? 0f : schedule.sigma(0);
    return sigmas;
  }

  /** Karras sigmas between the table's ends. */
  private static double[] karras(NoiseSchedule schedule, int n) {
    return KarrasSigmas.of(schedule.sigma(0), schedule.sigma(schedule.trainSteps() - 1), n);
  }

  /**
   * One past the last usable training timestep: lambda_min_clipped removes the low-noise end
   * where lambda falls below it (diffusers' searchsorted over the flipped lambda table).
   */
  private static int lastTimestep(NoiseSchedule schedule, double minLambda) {
    int train = schedule.trainSteps();
    int clipped = 0;
    for (int t = train - 1; t >= 0; t--) {
      float a = schedule.alphaCumprod(t);
      float lambda = (float) Math.log((float) Math.sqrt(a)) - (float) Math.log((float) Math.sqrt(1f - a));
      if (lambda < minLambda) {
        clipped++;
      } else {
        break;
      }
    }
    return train - clipped;
  }
}
