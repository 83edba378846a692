package org.diffusionbatch.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.diffusionbatch.core.metrics.FeatureStatistics;
import org.diffusionbatch.core.metrics.FrechetDistance;
import org.diffusionbatch.core.metrics.GaussianStatistics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * FID between two 2048-d Gaussians (target: 5 s on one core). The statistics come from
 * correlated, non-negative, Inception-like features as in shared/reference/metrics
 * ({@code metricsref.py --big}: rank-512 mixing plus noise). With {@code -p rows=1000} the
 * covariances are singular (fewer rows than dimensions) and the eigendecomposition path is timed
 * instead of the Cholesky one. EJML's single-threaded decompositions are used. Each iteration also
 * prints the thread's CPU time per FID ({@link CpuTimePerOperation}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FrechetDistanceBenchmark {
  @Param({"2048"})
  public int dimension;

  @Param({"2300"})
  public int rows;

  private GaussianStatistics first;
  private GaussianStatistics second;

  @Setup
  public void setup() {
    first = statistics(new Random(1), 0.2, 1.0);
    second = statistics(new Random(2), 0.35, 1.2);
    System.out.printf("%n[fid] d=%d rows=%d: %s%n", dimension, rows, FrechetDistance.between(first, second));
  }

  @Benchmark
  public FrechetDistance.Result fid(CpuTimePerOperation cpu) {
    cpu.count(1);
    return FrechetDistance.between(first, second);
  }

  private GaussianStatistics statistics(Random random, double shift, double scale) {
    int rank = Math.min(512, dimension);
    float[] mix = new float[rank * dimension];
    for (int i = 0; i < mix.length; i++) {
      mix[i] = (float) (random.nextGaussian() / Math.sqrt(rank));
    }
    FeatureStatistics stats = new FeatureStatistics(dimension);
    float[] batch = new float[64 * dimension];
    double[] z = new double[rank];
    for (int done = 0; done < rows; done += 64) {
      int n = Math.min(64, rows - done);
      for (int r = 0; r < n; r++) {
        for (int k = 0; k < rank; k++) {
          z[k] = random.nextGaussian();
        }
        for (int c = 0; c < dimension; c++) {
          double v = 0;
          for (int k = 0; k < rank; k++) {
            v += z[k] * mix[k * dimension + c];
          }
          batch[r * dimension + c] = (float) (Math.max(v * scale + shift, 0) + Math.abs(random.nextGaussian()) * 0.05);
        }
      }
      stats.add(batch, n);
    }
    return stats.toGaussian();
  }
}
