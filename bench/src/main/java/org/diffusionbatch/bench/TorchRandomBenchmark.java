package org.diffusionbatch.bench;

import java.util.concurrent.TimeUnit;
import org.diffusionbatch.core.rng.TorchGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** One SD 1.x latent's initial noise: randn(1, 4, 64, 64) from a freshly seeded generator. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TorchRandomBenchmark {
  private final float[] latent = new float[4 * 64 * 64];
  private long seed;

  @Setup
  public void setup() {
    seed = 1;
  }

  /** Includes seeding (624-word state set-up), as a job does once per prompt. */
  @Benchmark
  public float[] seedAndRandn4x64x64() {
    new TorchGenerator(seed++).randn(latent, 0, latent.length);
    return latent;
  }
}
