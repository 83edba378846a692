package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.schedule.NoiseSchedule;
import org.diffusionbatch.core.schedule.TimestepSpacing;

/** Reads the schedule keys every diffusers scheduler config shares. */
final class TrainingSchedule {
  private TrainingSchedule() {}

  /** num_train_timesteps, beta_*, trained_betas and rescale_betas_zero_snr as a schedule. */
  static NoiseSchedule of(SchedulerConfig c) {
    int train = c.getInt("num_train_timesteps");
    if (train < 2) {
      throw new IllegalArgumentException(
          "scheduler config num_train_timesteps must be at least 2, got " + train);
    }
    boolean zeroSnr = c.containsKey("rescale_betas_zero_snr") && c.getBoolean("rescale_betas_zero_snr");
    return NoiseSchedule.of(
        c.getString("beta_schedule"), c.getDouble("beta_start"), c.getDouble("beta_end"), train,
        c.findFloatArray("trained_betas").orElse(null), zeroSnr);
  }

  /** The schedule as the sigma-based schedulers (Euler, DPM-Solver) hold it. */
  static NoiseSchedule forSigmas(SchedulerConfig c) {
    NoiseSchedule s = of(c);
    boolean zeroSnr = c.containsKey("rescale_betas_zero_snr") && c.getBoolean("rescale_betas_zero_snr");
    return zeroSnr ? s.withTerminalAlphaFloor() : s;
  }

  /** abar after the last step: 1 under set_alpha_to_one, else abar at timestep 0. */
  static float finalAlphaCumprod(SchedulerConfig c, NoiseSchedule schedule) {
    return c.getBoolean("set_alpha_to_one") ? 1f : schedule.alphaCumprod(0);
  }

  static PredictionType prediction(SchedulerConfig c) {
    return PredictionType.parse(c.getString("prediction_type"));
  }

  static TimestepSpacing spacing(SchedulerConfig c) {
    return TimestepSpacing.parse(c.getString("timestep_spacing"));
  }

  static int stepsOffset(SchedulerConfig c) {
    return c.containsKey("steps_offset") ? c.getInt("steps_offset") : 0;
  }

  /** Rejects a step count outside [1, max], naming the value and the range. */
  static void checkSteps(String sampler, int steps, int max, String whyMax) {
    if (steps < 1 || steps > max) {
      throw new IllegalArgumentException(
          "sampler " + sampler + ": steps " + steps + " is out of range; allowed 1.." + max
              + " (" + whyMax + ")");
    }
  }

  /** Rejects timesteps outside the training schedule (e.g. leading spacing + steps_offset). */
  static void checkTimesteps(String sampler, double[] timesteps, int train) {
    for (double t : timesteps) {
      if (t < 0 || Math.rint(t) >= train) {
        throw new IllegalArgumentException(
            "sampler " + sampler + ": planned timestep " + t + " lies outside the training schedule"
                + " 0.." + (train - 1) + "; use fewer steps or timestep_spacing trailing (steps_offset"
                + " pushes leading timesteps up)");
      }
    }
  }

  /** Rejects a config flag this library does not implement, naming it. */
  static void rejectIfTrue(SchedulerConfig c, String sampler, String... keys) {
    for (String k : keys) {
      if (c.has(k) && c.get(k) instanceof Boolean && c.getBoolean(k)) {
        throw new IllegalArgumentException(
            "sampler " + sampler + ": scheduler config " + k + "=true is not supported; set it to"
                + " false");
      }
    }
  }
}
