package org.diffusionbatch.jobs.sweep;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code <output>/_runs/<run_id>.json}: what one sweep run was asked, what it made, with what
 * versions, and how long it took (like generate's run manifest).
 *
 * @param status {@code complete} (every cell of the grid is in the table) or {@code incomplete} (see failed_cells)
 */
record SweepManifest(
    @JsonProperty("run_id") String runId,
    @JsonProperty("arguments") List<String> arguments,
    @JsonProperty("prompts") String prompts,
    @JsonProperty("output") String output,
    @JsonProperty("images_per_cell") int imagesPerCell,
    @JsonProperty("rows_digest") String rowsDigest,
    @JsonProperty("scoring") Map<String, Object> scoring,
    @JsonProperty("cells") int cells,
    @JsonProperty("cells_made") int cellsMade,
    @JsonProperty("failed_cells") Map<String, String> failedCells,
    @JsonProperty("seconds_making_cells") double secondsMakingCells,
    @JsonProperty("versions") Map<String, String> versions,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("finished_at") String finishedAt,
    @JsonProperty("status") String status) {

  static SweepManifest of(SweepOptions options, SweepPlan plan, int cells, int attempted, Map<String, String> failures, double seconds,
      Map<String, String> versions, Instant started, Instant finished) {
    return new SweepManifest(options.runId(), options.arguments(), options.prompts(), options.output(), plan.imagesPerCell(),
        plan.rowsDigest(), plan.scoring(), cells, attempted - failures.size(), failures, seconds, versions, started.toString(),
        finished.toString(), failures.isEmpty() ? "complete" : "incomplete");
  }

  byte[] json() {
    try {
      return SweepPlan.JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the run manifest", e);
    }
  }
}
