package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.jobs.testing.FakeImageMaker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's handling of its input, with a stand-in model: formats, ids, seeds, duplicates, row
 * errors. (What the real model makes is checked in {@link GenerateEndToEndTest}.)
 */
class PromptInputsTest {
  @TempDir Path dir;

  @Test
  void jsonlRowsGetStableIdsAndSeedsAndBadRowsGoToErrors() throws Exception {
    Path prompts = dir.resolve("p.jsonl");
    Files.writeString(prompts, String.join("\n",
        "{\"prompt\": \"a red circle\"}",
        "{\"prompt\": \"\"}",
        "{\"prompt\": \"a blue square\", \"steps\": 0}",
        "{\"prompt\": \"a green square\", \"sampler\": \"nope\"}",
        "{\"prompt_id\": \"x1\", \"prompt\": \"first x1\", \"seed\": 42}",
        "{\"prompt_id\": \"x1\", \"prompt\": \"second x1\"}",
        "{\"prompt\": \"a yellow star\", \"width\": 24, \"height\": 8}") + "\n");
    Path out = dir.resolve("out");
    int code = Runs.generate(new FakeImageMaker.Factory(), "--prompts", prompts.toString(), "--output", out.toString(),
        "--master", "local[2]", "--seed", "7", "--batch-size", "2");
    assertEquals(GenerateCommand.EXIT_SOME_ROWS_FAILED, code);

    SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
    try {
      List<Row> images = spark.read().parquet(out.toString()).orderBy("prompt").collectAsList();
      assertEquals(3, images.size());
      Map<String, Row> byPrompt = new HashMap<>();
      images.forEach(r -> byPrompt.put(r.getAs("prompt"), r));
      Row first = byPrompt.get("first x1");
      assertEquals("x1", first.getAs("prompt_id"));
      assertEquals(42L, (long) first.getAs("seed"));
      Row red = byPrompt.get("a red circle");
      assertEquals(StableIds.promptId("p.jsonl", 0, "a red circle"), red.getAs("prompt_id"));
      assertEquals(StableIds.seed(7, red.getAs("prompt_id")), (long) red.getAs("seed"));
      Row star = byPrompt.get("a yellow star");
      assertEquals(24, (int) star.getAs("width"));
      assertEquals(8, (int) star.getAs("height"));

      List<Row> errors = spark.read().parquet(out + "_errors").collectAsList();
      Map<String, String> stageByInput = new HashMap<>();
      errors.forEach(r -> stageByInput.put(r.getAs("input"), r.getAs("stage") + ": " + r.getAs("reason")));
      assertEquals(4, errors.size(), stageByInput.toString());
      assertTrue(stageByInput.values().stream().anyMatch(v -> v.startsWith("input: prompt is empty")), stageByInput.toString());
      assertTrue(stageByInput.values().stream().anyMatch(v -> v.startsWith("input: steps must be at least 1")), stageByInput.toString());
      assertTrue(stageByInput.values().stream().anyMatch(v -> v.startsWith("settings: unknown sampler 'nope'")), stageByInput.toString());
      assertTrue(stageByInput.values().stream().anyMatch(v -> v.startsWith("input: duplicate prompt_id")), stageByInput.toString());
      assertTrue(Files.exists(out.resolve("_runs")));
    } finally {
      spark.stop();
    }
  }
}
