package org.diffusionbatch.jobs.generate;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code <output>/_runs/<run_id>.json}: what one run was asked, what it made and with what.
 * Spark's readers skip {@code _}-prefixed paths, so it does not disturb the dataset.
 * {@code gpu_as_cpu} is true when models ran on the CPU with the GPU addresses Spark assigned ({@link GpuAsCpu}).
 */
public record RunManifest(
    @JsonProperty("run_id") String runId,
    @JsonProperty("arguments") List<String> arguments,
    @JsonProperty("prompts") String prompts,
    @JsonProperty("output") String output,
    @JsonProperty("errors_output") String errorsOutput,
    @JsonProperty("model") String model,
    @JsonProperty("model_digest") String modelDigest,
    @JsonProperty("settings") RunSettings settings,
    @JsonProperty("gpu_as_cpu") boolean gpuAsCpu,
    @JsonProperty("counts") Counts counts,
    @JsonProperty("timings") Timings timings,
    @JsonProperty("versions") Map<String, String> versions,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("finished_at") String finishedAt,
    @JsonProperty("status") String status) {

  /**
   * @param input rows read (blank text lines excluded)
   * @param made images written by this run
   * @param errors rows that went to the errors dataset, duplicates included
   * @param skippedByResume rows whose prompt_id was already in the output
   * @param duplicates rows dropped because an earlier row had their prompt_id
   */
  public record Counts(
      @JsonProperty("input") long input,
      @JsonProperty("made") long made,
      @JsonProperty("errors") long errors,
      @JsonProperty("skipped_by_resume") long skippedByResume,
      @JsonProperty("duplicates") long duplicates) {}

  public record Timings(
      @JsonProperty("total_seconds") double totalSeconds,
      @JsonProperty("plan_seconds") double planSeconds,
      @JsonProperty("generate_seconds") double generateSeconds,
      @JsonProperty("unet_seconds") double unetSeconds,
      @JsonProperty("images_per_second") double imagesPerSecond) {}
}
