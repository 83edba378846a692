package org.diffusionbatch.jobs.generate.output;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.jobs.generate.GenerateOptions;
import org.diffusionbatch.jobs.generate.RunSettings;
import org.diffusionbatch.jobs.generate.executor.GenerateMetrics;
import org.diffusionbatch.jobs.spark.Redaction;
import org.diffusionbatch.jobs.spark.Versions;

/**
 * The run as its manifest records it while it goes: what it was asked and with which model,
 * then its plan, then each commit, then how it ended. Each {@link #write} replaces
 * {@code <output>/_runs/<run_id>.json}.
 */
public final class RunRecord {
  private final GenerateOptions options;
  private final Configuration hadoop;
  private final String modelUri;
  private final String modelDigest;
  private final RunSettings settings;
  private final boolean gpuAsCpu;
  private final Map<String, String> versions;
  private final Instant startedAt;
  private final long startNanos;

  public long input;
  public long skipped;
  public long duplicates;
  public long invalidUtf8;
  public Integer partitions;
  public long commitsDone;
  public long commitsTotal;
  public double planSeconds;
  public double generateSeconds;
  private String location;

  public RunRecord(GenerateOptions options, Configuration hadoop, String modelUri, String modelDigest, RunSettings settings,
      boolean gpuAsCpu, SparkSession spark, Instant startedAt, long startNanos) {
    this.options = options;
    this.hadoop = hadoop;
    this.modelUri = modelUri;
    this.modelDigest = modelDigest;
    this.settings = settings;
    this.gpuAsCpu = gpuAsCpu;
    this.versions = Versions.of(spark);
    this.startedAt = startedAt;
    this.startNanos = startNanos;
  }

  /** Writes the manifest with this status; {@code metrics} may be null before generation; returns where it is. */
  public RunManifest write(String status, GenerateMetrics metrics, String error) throws IOException {
    long made = metrics == null ? 0 : metrics.imagesMade().value();
    long failed = metrics == null ? 0 : metrics.rowsFailed().value();
    double unet = metrics == null ? 0 : metrics.unetSeconds().value();
    boolean ended = !status.equals(RunManifest.RUNNING);
    RunManifest manifest = new RunManifest(options.runId(), Redaction.arguments(options.arguments()), options.prompts(),
        options.output(), options.errorsOutput(), modelUri, modelDigest, settings, gpuAsCpu,
        new RunManifest.Counts(input, made, duplicates + failed, skipped, duplicates, invalidUtf8),
        new RunManifest.Timings((System.nanoTime() - startNanos) / 1e9, planSeconds, generateSeconds, unet,
            made / Math.max(generateSeconds, 1e-9)),
        versions, startedAt.toString(), ended ? Instant.now().toString() : null, status, partitions,
        commitsTotal == 0 && !ended ? null : new RunManifest.Commits(commitsDone, commitsTotal), error);
    location = ManifestWriter.write(manifest, options.s3(), hadoop);
    return manifest;
  }

  /** Where the manifest is, once written. */
  public String location() {
    return location;
  }
}
