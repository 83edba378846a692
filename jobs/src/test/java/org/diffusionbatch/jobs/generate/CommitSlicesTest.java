package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.diffusionbatch.jobs.generate.output.ErrorsDataset;
import org.diffusionbatch.jobs.prompts.PromptFormat;
import org.diffusionbatch.jobs.prompts.PromptTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A run's commits are slices of the planned rows, cached once: each commit reads the cached batches
 * of its own rows, not all of them (which made a run of many commits read its rows once per commit:
 * 10M rows in 99 commits took twice as long per row as 1M in 10).
 */
class CommitSlicesTest {
  private static final int ROWS = 4000;
  private static final int BATCH = 100;
  private static final int PARTITIONS = 2;

  @TempDir Path dir;

  @Test
  void eachCommitReadsOnlyTheCachedBatchesOfItsOwnRowsAndTogetherTheyHoldEveryRowOnce() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      lines.add("prompt number " + i);
    }
    Path prompts = Files.write(dir.resolve("prompts.txt"), lines);
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
        .config("spark.sql.inMemoryColumnarStorage.batchSize", BATCH).config("spark.sql.adaptive.enabled", "false").getOrCreate();
    try {
      PromptTable.Read read = PromptTable.read(spark, prompts.toUri().toString(), PromptFormat.TEXT);
      RunPlanner.Plan plan = RunPlanner.plan(spark, read, null, PARTITIONS, 200, new ErrorsDataset(spark,
          dir.resolve("errors").toUri().toString(), "slices"), false, "slices");
      assertEquals(ROWS, plan.toMake());
      assertEquals(20, plan.commits());

      Set<String> seen = new HashSet<>();
      for (long commit = 0; commit < plan.commits(); commit++) {
        Dataset<Row> ids = plan.commit(commit).select("prompt_id");
        List<Row> rows = ids.collectAsList();
        rows.forEach(r -> assertTrue(seen.add(r.getString(0)), "row " + r + " in two commits"));
        long scanned = scannedFromCache(ids.queryExecution().executedPlan());
        // Its own rows, and at most a part-filled batch at each end of its range in each partition.
        assertTrue(scanned <= rows.size() + 2L * PARTITIONS * BATCH,
            "commit " + commit + " read " + scanned + " cached rows for its " + rows.size() + " (of " + ROWS + ")");
        assertTrue(rows.size() > 100 && rows.size() < 300, "commit " + commit + " holds " + rows.size() + " rows, asked 200");
      }
      assertEquals(ROWS, seen.size());
      plan.work().unpersist();
    } finally {
      spark.stop();
    }
  }

  /** Rows the plan's in-memory scan produced (before the filter above it). */
  private static long scannedFromCache(SparkPlan plan) {
    long rows = 0;
    int scans = 0;
    for (SparkPlan leaf : CollectionConverters.asJava(plan.collectLeaves())) {
      if (leaf.nodeName().startsWith("InMemoryTableScan")) {
        rows += leaf.metrics().apply("numOutputRows").value();
        scans++;
      }
    }
    assertEquals(1, scans, "the commit should read the cached plan: " + plan);
    return rows;
  }
}
