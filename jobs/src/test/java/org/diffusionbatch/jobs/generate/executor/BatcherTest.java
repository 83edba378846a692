package org.diffusionbatch.jobs.generate.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.diffusionbatch.jobs.generate.RunSettings;
import org.diffusionbatch.jobs.prompts.StableIds;
import org.diffusionbatch.jobs.prompts.WorkRows;
import org.junit.jupiter.api.Test;

/** Planning rows and forming batches, without Spark jobs. */
class BatcherTest {
  private static final RunSettings RUN = new RunSettings("dpmpp-2m", 4, 7.5, 0.0, 128, 128, Map.of(), "", 0);
  private static Row row(String id, String prompt, String steps, String sampler) {
    return WorkRows.row(id, prompt, steps, sampler);
  }

  @Test
  void rowsBatchOnlyWithRowsOfTheSameSettingsAndRowsThatDoNotParseAreReportedNotBatched() {
    List<RowPlan> plans = new ArrayList<>();
    String[][] rows = {
      {"a", "p", null, null}, {"b", "p", "8", null}, {"c", "p", null, null}, {"d", "", null, null},
      {"e", "p", "x", null}, {"f", "p", null, "unknown"}, {"g", "p", "8", null}, {"h", "p", null, null}};
    for (String[] r : rows) {
      plans.add(RowPlan.of(row(r[0], r[1], r[2], r[3]), RUN));
    }
    List<RowPlan> rejected = new ArrayList<>();
    Batcher batcher = new Batcher(plans.iterator(), 2, rejected::add);
    List<List<String>> batches = new ArrayList<>();
    for (List<RowPlan> batch = batcher.next(); batch != null; batch = batcher.next()) {
      batches.add(batch.stream().map(RowPlan::promptId).toList());
    }
    // An unknown sampler parses: the model refuses it when it runs the batch (stage "settings").
    assertEquals(List.of(List.of("a", "c"), List.of("b", "g"), List.of("f"), List.of("h")), batches);
    assertEquals(List.of("d: prompt is empty (prompts.jsonl row 1)", "e: steps 'x' is not an integer (prompts.jsonl row 1)"),
        rejected.stream().map(r -> r.promptId() + ": " + r.error()).toList());
  }

  @Test
  void aRowsSamplerNamesTheRunsSamplerOptionsSoItAloneMakesTheImageAgain() {
    RunSettings run = new RunSettings("dpmpp-3m-karras", 4, 7.5, 0.0, 128, 128,
        Map.of("timestep_spacing", "trailing"), "", 0);
    assertEquals("dpmpp-3m-karras:timestep_spacing=trailing", RowPlan.of(row("a", "p", null, null), run).settings().sampler());
    assertEquals("euler:timestep_spacing=trailing", RowPlan.of(row("b", "p", null, "Euler"), run).settings().sampler());
    assertEquals("dpmpp-2m", RowPlan.of(row("c", "p", null, null), RUN).settings().sampler());
  }

  @Test
  void aRowWithoutSeedGetsTheStableSeedOfItsId() {
    RowPlan plan = RowPlan.of(row("abc", "p", null, null), new RunSettings("dpmpp-2m", 4, 7.5, 0.0, 128, 128, Map.of(), "neg", 9));
    assertNull(plan.error());
    assertEquals(StableIds.seed(9, "abc"), plan.request().seed());
    assertEquals("neg", plan.request().negativePrompt());
  }
}
