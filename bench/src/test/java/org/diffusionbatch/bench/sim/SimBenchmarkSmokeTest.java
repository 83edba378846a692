package org.diffusionbatch.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated-accelerator benchmark's harness works end to end on a few images: the real generate
 * job in local mode on the simulated H100, to local Parquet and to S3Proxy over s3a://. No timing is
 * checked (this machine's numbers are for docs/performance.md, made with bench/sim/run.sh).
 */
class SimBenchmarkSmokeTest {
  @TempDir Path dir;

  @Test
  void dpmSolverRunMakesItsImagesOnTheSimulatedDeviceAndReportsEveryFigure() throws Exception {
    SimBenchmark.Result result = SimBenchmark.run("dpmpp", "--images", "16", "--scratch", dir.toString(),
        "--", "--conf", SimulatedImageMakerFactory.PICTURES + "=2", "--conf", "spark.sql.shuffle.partitions=2");
    assertEquals(0, result.exitCode());
    assertEquals(16, result.decoded());
    // 2 batches of 8: 40 UNet calls of 16 rows (8 images with CFG), 2 decoder calls of 8.
    assertEquals(40, result.unetCalls());
    assertTrue(result.busyFraction() > 0 && result.busyFraction() <= 1, "busy " + result.busyFraction());
    assertEquals(8 / (0.004 + 20 * 0.053 + 0.121), result.ceiling(), 1e-9);
    assertTrue(result.table().contains("images/s"), result.table());
  }

  @Test
  void lcmRunWritesToS3ThroughS3a() throws Exception {
    SimBenchmark.Result result = SimBenchmark.run("lcm", "--images", "32", "--output", "s3", "--scratch", dir.toString(),
        "--", "--conf", SimulatedImageMakerFactory.PICTURES + "=2", "--conf", "spark.sql.shuffle.partitions=2");
    assertEquals(0, result.exitCode());
    assertEquals(32, result.decoded());
    // 2 batches of 16 rows, 4 LCM steps each, no CFG doubling.
    assertEquals(8, result.unetCalls());
    assertTrue(result.s3Objects() > 0, "nothing was written to the local S3");
  }
}
