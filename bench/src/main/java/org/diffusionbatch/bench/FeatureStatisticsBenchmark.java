package org.diffusionbatch.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.diffusionbatch.core.metrics.FeatureStatistics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Folding Inception-sized feature vectors (2048-d) into {@link FeatureStatistics}, a batch of 64
 * at a time as an executor would after one feature-model call. Reported per vector (target:
 * 0.5 ms on one core). EJML's single-threaded kernels are used; no thread pool is involved.
 * Each iteration also prints the thread's CPU time per vector ({@link CpuTimePerOperation}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FeatureStatisticsBenchmark {
  private static final int BATCH = 64;

  @Param({"2048"})
  public int dimension;

  private float[] batch;
  private FeatureStatistics statistics;

  @Setup
  public void setup() {
    Random random = new Random(3);
    batch = new float[BATCH * dimension];
    for (int i = 0; i < batch.length; i++) {
      batch[i] = (float) Math.max(random.nextGaussian() * 0.5 + 0.3, 0);
    }
    statistics = new FeatureStatistics(dimension);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public FeatureStatistics addBatchOf64(CpuTimePerOperation cpu) {
    cpu.count(BATCH);
    return statistics.add(batch, BATCH);
  }
}
