package org.diffusionbatch.jobs.generate.output;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import org.diffusionbatch.jobs.generate.RunSettings;
import org.diffusionbatch.jobs.generate.executor.GpuAsCpu;
import org.diffusionbatch.jobs.spark.Redaction;

/**
 * {@code <output>/_runs/<run_id>.json}: what one run was asked, what it made and with what, and how
 * far it got. Written when the run starts ({@code running}), after each commit, and when it ends:
 * {@code complete}, {@code complete_with_errors}, {@code interrupted} or {@code failed}. A status
 * starting with {@code complete} is the run's completion marker. Spark's readers skip
 * {@code _}-prefixed paths, so it does not disturb the dataset. Secret-looking --conf values are
 * redacted ({@link Redaction}).
 * {@code gpu_as_cpu} is true when models ran on the CPU with the GPU addresses Spark assigned ({@link GpuAsCpu}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
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
    @JsonProperty("status") String status,
    @JsonProperty("partitions") Integer partitions,
    @JsonProperty("commits") Commits commits,
    @JsonProperty("error") String error) {

  public static final String RUNNING = "running";
  public static final String COMPLETE = "complete";
  public static final String COMPLETE_WITH_ERRORS = "complete_with_errors";
  public static final String INTERRUPTED = "interrupted";
  public static final String FAILED = "failed";

  /**
   * @param input rows read (blank text lines excluded)
   * @param made images written by this run
   * @param errors rows that went to the errors dataset, duplicates included
   * @param skippedByResume rows whose prompt_id was already in the output
   * @param duplicates rows dropped because an earlier row had their prompt_id
   * @param invalidUtf8 rows holding bytes that are not UTF-8 (read as U+FFFD)
   */
  public record Counts(
      @JsonProperty("input") long input,
      @JsonProperty("made") long made,
      @JsonProperty("errors") long errors,
      @JsonProperty("skipped_by_resume") long skippedByResume,
      @JsonProperty("duplicates") long duplicates,
      @JsonProperty("invalid_utf8") long invalidUtf8) {}

  public record Timings(
      @JsonProperty("total_seconds") double totalSeconds,
      @JsonProperty("plan_seconds") double planSeconds,
      @JsonProperty("generate_seconds") double generateSeconds,
      @JsonProperty("unet_seconds") double unetSeconds,
      @JsonProperty("images_per_second") double imagesPerSecond) {}

  /** Commits of {@code --rows-per-commit} rows: how many are written, of how many. */
  public record Commits(@JsonProperty("done") long done, @JsonProperty("total") long total) {}
}
