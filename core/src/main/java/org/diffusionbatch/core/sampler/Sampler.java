package org.diffusionbatch.core.sampler;

/**
 * A configured sampling algorithm, stateless and shareable across threads: it only plans runs.
 * All state of one batch lives in the {@link SamplerRun} it returns.
 */
public interface Sampler {
  /** The name this sampler was created under ("dpmpp-2m", ...) or its diffusers class. */
  String name();

  /** The full resolved diffusers config it runs with (class defaults filled in). */
  SchedulerConfig config();

  /**
   * Plans a run of {@code steps} steps over a batch of latents of {@code shape}.
   *
   * @throws IllegalArgumentException if steps is outside what this sampler allows (the message
   *     names the allowed range)
   */
  SamplerRun plan(int steps, LatentShape shape);

  /**
   * Plans a run over the given training timesteps (descending). Only samplers whose diffusers
   * class accepts custom timesteps (LCM) support it.
   */
  default SamplerRun plan(double[] timesteps, LatentShape shape) {
    throw new UnsupportedOperationException(
        "sampler " + name() + " does not take custom timesteps; give a step count instead (lcm takes"
            + " custom timesteps)");
  }
}
