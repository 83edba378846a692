package org.diffusionbatch.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.diffusionbatch.jobs.generate.GenerateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planning benchmark's harness works on a small table: prompts with 1% duplicate ids, a run on
 * the zero-cost model, and a --resume against an output that already holds half the ids. Counts are
 * checked, no timing (the 1M/10M figures come from bench/sim/run.sh plan).
 */
class PlanBenchmarkSmokeTest {
  @TempDir Path dir;

  @Test
  void zeroCostRunsMakeEveryDistinctIdOnceAndResumeMakesOnlyTheMissingOnes() throws Exception {
    PlanBenchmark.makeData(dir, 400, 200L);
    List<String> quiet = List.of("--conf", "spark.sql.shuffle.partitions=4");

    PlanBenchmark.Result fresh = PlanBenchmark.run(dir, 400, null, "local[2]", quiet);
    assertEquals(GenerateCommand.EXIT_SOME_ROWS_FAILED, fresh.exitCode(), "duplicates are errors");
    assertEquals(400, fresh.counts().path("input").asLong());
    assertEquals(4, fresh.counts().path("duplicates").asLong());
    assertEquals(396, fresh.counts().path("made").asLong());
    assertTrue(fresh.driverPeakHeapMb() > 0);

    PlanBenchmark.Result resumed = PlanBenchmark.run(dir, 400, 200L, "local[2]", quiet);
    assertEquals(200, resumed.counts().path("skipped_by_resume").asLong());
    assertEquals(196, resumed.counts().path("made").asLong());
  }
}
