package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Duplicates and failed rows never gather on the driver: with {@code spark.driver.maxResultSize=1m}
 * (Spark fails any job whose results for the driver pass 1 MiB), 60,000 prompt rows of which 12,000
 * repeat an id and the other 48,000 all fail still plan, run and land in the errors dataset whole.
 * Held on the driver they would be several MiB.
 */
class DriverMemoryTest {
  @TempDir Path dir;

  @Test
  void sixtyThousandRowsWithTwelveThousandDuplicatesAndEveryRowFailingRunUnderA1MiBDriverResultLimit() throws Exception {
    Path prompts = dir.resolve("p.jsonl");
    try (BufferedWriter out = Files.newBufferedWriter(prompts)) {
      for (int i = 0; i < 60_000; i++) {
        // steps 0: every row fails at once (no model call), so the test measures the bookkeeping, not the model.
        out.write("{\"prompt_id\": \"id-" + (i % 48_000) + "\", \"prompt\": \"a red circle number " + i + "\", \"steps\": 0}\n");
      }
    }
    Path output = dir.resolve("out");
    Probe probe = Probe.run("--prompts", prompts.toString(), "--output", output.toString(), "--model", Runs.TINY_SD,
        "--master", "local[2]", "--run-id", "many", "--conf", "spark.driver.maxResultSize=1m");
    assertEquals(GenerateCommand.EXIT_SOME_ROWS_FAILED, probe.code(), probe.toString());
    JsonNode counts = new ObjectMapper().readTree(output.resolve("_runs/many.json").toFile()).get("counts");
    assertEquals(60_000, counts.get("input").asLong());
    assertEquals(12_000, counts.get("duplicates").asLong());
    assertEquals(60_000, counts.get("errors").asLong());
    assertEquals(0, counts.get("made").asLong());

    SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
    try {
      var errors = spark.read().parquet(dir.resolve("out_errors").toString());
      assertEquals(60_000, errors.count());
      assertEquals(12_000, errors.filter("reason like 'duplicate prompt_id%'").count());
      assertEquals(48_000, errors.filter("reason like 'steps must be at least 1%'").select("prompt_id").distinct().count());
    } finally {
      spark.stop();
    }
  }
}
