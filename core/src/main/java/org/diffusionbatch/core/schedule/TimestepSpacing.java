package org.diffusionbatch.core.schedule;

import java.util.Locale;

/**
 * diffusers' {@code timestep_spacing} (Table 2 of Lin et al. 2023, "Common Diffusion Noise
 * Schedules and Sample Steps are Flawed"), with numpy's half-to-even rounding.
 */
public enum TimestepSpacing {
  LINSPACE,
  LEADING,
  TRAILING;

  public static TimestepSpacing parse(String value) {
    for (TimestepSpacing s : values()) {
      if (s.configName().equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "scheduler config timestep_spacing '" + value
            + "' is not supported; use linspace, leading or trailing");
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * DPM-Solver's integer timesteps: an N+1 point grid whose t=0 end is dropped.
   *
   * @param lastTimestep one past the largest usable timestep (num_train_timesteps unless
   *     lambda_min_clipped cuts the schedule)
   */
  public double[] solverGrid(int lastTimestep, int trainSteps, int n, int stepsOffset) {
    double[] out = new double[n];
    switch (this) {
      case LINSPACE: {
        double[] grid = NumpyRanges.linspace(0, lastTimestep - 1, n + 1);
        for (int i = 0; i < n; i++) {
          out[i] = NumpyRanges.round(grid[n - i]);
        }
        return out;
      }
      case LEADING: {
        int ratio = lastTimestep / (n + 1);
        for (int i = 0; i < n; i++) {
          out[i] = (double) (n - i) * ratio + stepsOffset;
        }
        return out;
      }
      default:
        return trailing(lastTimestep, trainSteps, n);
    }
  }

  /**
   * The timesteps of DDIM, DDPM and the Euler samplers: N points, t=0 end kept.
   *
   * @param roundLinspace DDIM/DDPM round linspace timesteps to integers; Euler keeps them float32
   */
  public double[] strided(int trainSteps, int n, int stepsOffset, boolean roundLinspace) {
    double[] out = new double[n];
    switch (this) {
      case LINSPACE: {
        double[] grid = NumpyRanges.linspace(0, trainSteps - 1, n);
        for (int i = 0; i < n; i++) {
          double t = grid[n - 1 - i];
          out[i] = roundLinspace ? NumpyRanges.round(t) : (float) t;
        }
        return out;
      }
      case LEADING: {
        int ratio = trainSteps / n;
        for (int i = 0; i < n; i++) {
          out[i] = (double) (n - 1 - i) * ratio + stepsOffset;
        }
        return out;
      }
      default:
        return trailing(trainSteps, trainSteps, n);
    }
  }

  /** {@code round(arange(last, 0, -train/N)) - 1}. */
  private static double[] trailing(int lastTimestep, int trainSteps, int n) {
    double ratio = (double) trainSteps / n;
    // np.arange's length is ceil((stop - start) / step); with last < train it can be shorter than n
    int len = (int) Math.ceil(lastTimestep / ratio);
    double[] out = new double[len];
    for (int i = 0; i < len; i++) {
      out[i] = NumpyRanges.round(lastTimestep + i * -ratio) - 1;
    }
    return out;
  }
}
