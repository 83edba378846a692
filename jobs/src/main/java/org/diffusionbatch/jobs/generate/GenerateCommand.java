package org.diffusionbatch.jobs.generate;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.diffusionbatch.jobs.cli.ImageOptions;
import org.diffusionbatch.jobs.cli.ModelRuntimeOptions;
import org.diffusionbatch.jobs.cli.S3Options;
import org.diffusionbatch.jobs.prompts.PromptFormat;
import org.diffusionbatch.jobs.prompts.PromptSource;
import org.diffusionbatch.jobs.spark.S3Endpoint;
import org.diffusionbatch.jobs.spark.StorageUris;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code generate}: the options of the Spark job, shared by {@code ./diffusion-batch generate}
 * (local Spark) and {@code spark-submit --class GenerateJob} (the cluster sets the master).
 * Exit codes: 0 every row made, 3 some rows went to the errors dataset, 2 bad arguments or
 * configuration, or the output is held by another run (nothing done), 1 failure; a run stopped by
 * a signal exits as the signal says (130 SIGINT, 143 SIGTERM) after recording itself as interrupted.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Generate one image per row of a prompt table on Spark, into a Parquet dataset.")
public final class GenerateCommand implements Callable<Integer> {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_BAD_ARGUMENTS = 2;
  public static final int EXIT_SOME_ROWS_FAILED = 3;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--prompts", required = true, paramLabel = "URI",
      description = "Prompt table: text (one prompt a line), JSON Lines, CSV with header, or Parquet; local, file:, s3:// or s3a://.")
  String prompts;

  @Option(names = "--prompts-format", paramLabel = "FORMAT", description = "text|jsonl|csv|parquet (default: from the extension).")
  String promptsFormat;

  @Option(names = "--output", required = true, paramLabel = "URI", description = "The Parquet dataset (a directory) to write.")
  String output;

  @Option(names = "--errors-output", paramLabel = "URI", description = "Errors dataset (default: <output>_errors).")
  String errorsOutput;

  @Mixin ImageOptions image = new ImageOptions();

  @Option(names = "--seed", paramLabel = "BASE", defaultValue = "0", description = "Base seed; a row without a seed gets one derived from this and its prompt_id.")
  long seed;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8", description = "Rows per UNet call, before CFG doubling (default 8).")
  int batchSize;

  @Option(names = "--partitions", paramLabel = "N",
      description = "Partitions (tasks per commit) of the prompt rows (default: the cluster's task slots, or as read if more).")
  Integer partitions;

  @Option(names = "--max-records-per-file", paramLabel = "N", defaultValue = "5000", description = "Rows per Parquet file at most (default 5000).")
  int maxRecordsPerFile;

  @Option(names = "--rows-per-commit", paramLabel = "N", defaultValue = "100000",
      description = "Input rows per Spark write; each write commits on its own, so a run that dies keeps its finished writes (default 100000).")
  long rowsPerCommit;

  @Option(names = "--run-id", paramLabel = "ID", description = "Run id (default: UTC timestamp + random suffix).")
  String runId;

  @CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
  ExistingOutput existing = new ExistingOutput();

  static final class ExistingOutput {
    @Option(names = "--resume", description = "Skip prompt_ids already in the output; make only the rest.")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace the output (and the errors dataset); only ever deletes a dataset this job wrote.")
    boolean overwrite;
  }

  @Option(names = "--resume-with-new-settings",
      description = "With --resume: add rows made with other settings or another model than the earlier runs' (refused otherwise).")
  boolean resumeWithNewSettings;

  @Option(names = "--break-lease",
      description = "Take over the output from a run whose lease has not expired yet; only when that run is known to be dead.")
  boolean breakLease;

  @Mixin ModelRuntimeOptions runtime = new ModelRuntimeOptions();

  @Mixin S3Options s3 = new S3Options();

  @Option(names = "--master", paramLabel = "URL", description = "Spark master for ./diffusion-batch generate (default local[*]); not allowed under spark-submit.")
  String master;

  @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Extra Spark conf (repeatable); overrides the job's defaults.")
  Map<String, String> conf = new LinkedHashMap<>();

  /** True when started by {@link GenerateJob#main} under spark-submit. */
  private final boolean underSparkSubmit;

  public GenerateCommand() {
    this(false);
  }

  GenerateCommand(boolean underSparkSubmit) {
    this.underSparkSubmit = underSparkSubmit;
  }

  @Override
  public Integer call() {
    GenerateOptions options;
    try {
      options = toOptions(spec == null ? List.of() : spec.commandLine().getParseResult().originalArgs());
    } catch (IllegalArgumentException e) {
      System.err.println("generate: " + e.getMessage());
      return EXIT_BAD_ARGUMENTS;
    }
    return GenerateJob.run(options);
  }

  /** Checks the options' form and resolves defaults that need no model or storage. */
  GenerateOptions toOptions(List<String> originalArgs) {
    if (underSparkSubmit && master != null) {
      throw new IllegalArgumentException("--master is not allowed under spark-submit, which sets the master; use spark-submit --master");
    }
    positive("--batch-size", batchSize);
    positive("--max-records-per-file", maxRecordsPerFile);
    if (rowsPerCommit <= 0) {
      throw new IllegalArgumentException("--rows-per-commit must be at least 1, got " + rowsPerCommit);
    }
    if (partitions != null) {
      positive("--partitions", partitions);
    }
    image.validate();
    runtime.validate();
    String sparkOutput = StorageUris.forSpark("--output", output);
    String sparkErrors = errorsOutput == null
        ? sparkOutput.replaceAll("/+$", "") + "_errors"
        : StorageUris.forSpark("--errors-output", errorsOutput);
    if (sparkErrors.replaceAll("/+$", "").equals(sparkOutput.replaceAll("/+$", ""))) {
      throw new IllegalArgumentException("--errors-output must differ from --output (" + output + ")");
    }
    if (resumeWithNewSettings && !existing.resume) {
      throw new IllegalArgumentException("--resume-with-new-settings goes with --resume");
    }
    String sparkPrompts = StorageUris.forSpark("--prompts", prompts);
    PromptFormat format = PromptFormat.parse(promptsFormat);
    if (format == null) {
      format = PromptFormat.guess(prompts); // null: decided from what is there (PromptSource)
    }
    String modelUri = image.modelOrBundled();
    if (StorageUris.scheme(modelUri) != null && !StorageUris.isS3(modelUri) && !modelUri.startsWith("file:")) {
      throw new IllegalArgumentException("--model " + modelUri + ": use a local directory or s3://bucket/prefix/");
    }
    if (runId != null && !runId.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("--run-id " + runId + " may hold only letters, digits, '.', '_' and '-' (it names a file)");
    }
    return new GenerateOptions(
        sparkPrompts, format, sparkOutput, sparkErrors, modelUri,
        image.sampler(), image.steps(), image.guidance(), image.guidanceRescale(), image.width(), image.height(),
        image.negativePrompt(), seed, image.samplerOverrides(), batchSize, partitions, maxRecordsPerFile, rowsPerCommit,
        runId == null ? newRunId() : runId, existing.resume, existing.overwrite,
        runtime.device(), runtime.intraOpThreads(), runtime.interOpThreads(), runtime.ortOptLevel(), runtime.gpuRunsPerGraph(),
        runtime.modelCache(),
        new S3Endpoint(s3.endpoint(), s3.region(), s3.pathStyle()),
        underSparkSubmit ? null : (master == null ? "local[*]" : master),
        Map.copyOf(conf), new ArrayList<>(originalArgs), breakLease, resumeWithNewSettings);
  }

  private static void positive(String option, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(option + " must be at least 1, got " + value);
    }
  }

  static String newRunId() {
    String time = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"));
    return time + "-" + UUID.randomUUID().toString().substring(0, 6);
  }
}
