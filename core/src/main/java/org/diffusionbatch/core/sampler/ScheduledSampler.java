package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.schedule.NoiseSchedule;
import org.diffusionbatch.core.schedule.TimestepSpacing;

/**
 * A sampler over a diffusers training schedule: its name, resolved config, schedule and prediction
 * type, and the one way every such sampler plans a run (check the step count, lay out the
 * timesteps, check they lie on the schedule, start the run). Subclasses give only what their
 * algorithm does differently.
 */
abstract class ScheduledSampler implements Sampler {
  protected final String name;
  protected final SchedulerConfig config;
  protected final NoiseSchedule schedule;
  protected final PredictionType prediction;

  ScheduledSampler(String name, SchedulerConfig config, NoiseSchedule schedule) {
    this.name = name;
    this.config = config;
    this.schedule = schedule;
    this.prediction = TrainingSchedule.prediction(config);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final SchedulerConfig config() {
    return config;
  }

  @Override
  public final SamplerRun plan(int steps, LatentShape shape) {
    TrainingSchedule.checkSteps(name, steps, maxSteps(), maxStepsReason());
    double[] timesteps = timesteps(steps);
    TrainingSchedule.checkTimesteps(name, timesteps, schedule.trainSteps());
    return run(shape, timesteps);
  }

  /** The most steps a run may take: one per training timestep unless the algorithm says less. */
  protected int maxSteps() {
    return schedule.trainSteps();
  }

  /** The setting {@link #maxSteps()} comes from, for the error message. */
  protected String maxStepsReason() {
    return "num_train_timesteps " + schedule.trainSteps();
  }

  /**
   * {@code steps} timesteps strided over the training schedule by {@code spacing} and
   * steps_offset, as the DDPM-family schedulers lay them out.
   */
  protected final double[] stridedTimesteps(
      TimestepSpacing spacing, int steps, boolean roundLinspace) {
    return spacing.strided(
        schedule.trainSteps(), steps, TrainingSchedule.stepsOffset(config), roundLinspace);
  }

  /** The descending timesteps of a run of {@code steps} steps (a fresh array the run may keep). */
  protected abstract double[] timesteps(int steps);

  /** A run over already-checked {@code timesteps}. */
  protected abstract SamplerRun run(LatentShape shape, double[] timesteps);
}
