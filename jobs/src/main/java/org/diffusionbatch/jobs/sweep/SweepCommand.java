package org.diffusionbatch.jobs.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diffusionbatch.jobs.cli.ImageOptions;
import org.diffusionbatch.jobs.cli.ModelRuntimeOptions;
import org.diffusionbatch.jobs.cli.S3Options;
import org.diffusionbatch.jobs.prompts.PromptFormat;
import org.diffusionbatch.jobs.spark.S3Endpoint;
import org.diffusionbatch.jobs.spark.StorageUris;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code sweep}: a grid of settings, each cell generated from the same prompts and seeds and
 * scored (FID, KID, CLIP score) on the executors, into a metrics table and a report. Shared by
 * {@code ./diffusion-batch sweep} (local Spark) and {@code spark-submit --class SweepJob}.
 * Exit codes: 0 every cell done, 3 some cells failed (the others are saved; --resume makes the
 * rest), 2 bad arguments or configuration (nothing done), 1 failure.
 */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Generate and score a grid of samplers, steps, guidance and models on Spark: metrics table, charts, contact sheets.")
public final class SweepCommand implements Callable<Integer> {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_BAD_ARGUMENTS = 2;
  public static final int EXIT_SOME_CELLS_FAILED = 3;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--prompts", required = true, paramLabel = "URI", description = "Prompt table (text, JSON Lines, CSV or Parquet), as generate reads it.")
  String prompts;

  @Option(names = "--prompts-format", paramLabel = "FORMAT", description = "text|jsonl|csv|parquet (default: from the extension).")
  String promptsFormat;

  @Option(names = "--output", required = true, paramLabel = "URI", description = "The sweep's folder: metrics table, cells' statistics, kept images, report/.")
  String output;

  @Option(names = "--features", required = true, paramLabel = "MODEL", description = "Image feature model for FID and KID (e.g. the FID Inception-v3 as ONNX).")
  String features;

  @Option(names = "--reference", required = true, paramLabel = "STATS|DATASET",
      description = "Reference: statistics (.npz with mu, sigma), features (.npy), or an image set (generate output, Parquet with an image column, folder of PNG/JPEG).")
  String reference;

  @Option(names = "--clip", paramLabel = "MODEL", description = "CLIP model (image and text encoders) for CLIP score (default: none).")
  String clip;

  @Option(names = "--images-per-cell", required = true, paramLabel = "N",
      description = "Images per cell: the first N prompts in prompt_id order, the same rows and seeds in every cell.")
  int imagesPerCell;

  @Option(names = "--cycle-prompts", description = "When N exceeds the prompt table, go round it again with new seeds (prompt_id~1, ~2, ...).")
  boolean cyclePrompts;

  @Option(names = "--grid", paramLabel = "KEY=V1,V2", description = "A varied setting (repeatable): model, sampler, steps, guidance, guidance_rescale, option.KEY.")
  List<String> grid = new ArrayList<>();

  @Option(names = "--grid-file", paramLabel = "FILE", description = "YAML or JSON grid: a mapping of keys to values, or a list of them (cells are the union).")
  Path gridFile;

  @Mixin ImageOptions image = new ImageOptions();

  @Option(names = "--seed", paramLabel = "BASE", defaultValue = "0", description = "Base seed; a row without a seed gets one derived from this and its prompt_id, as in generate.")
  long seed;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8", description = "Images per UNet call, before CFG doubling (default 8).")
  int batchSize;

  @Option(names = "--chunk-size", paramLabel = "N", defaultValue = "256", description = "Images per task at most (default 256).")
  int chunkSize;

  @Option(names = "--error-groups", paramLabel = "G", defaultValue = "4",
      description = "Disjoint groups per cell whose FIDs estimate FID's sampling error (default 4).")
  int errorGroups;

  @Option(names = "--keep-images", paramLabel = "K", defaultValue = "16", description = "Images kept per cell as PNG rows and on its contact sheet (default 16).")
  int keepImages;

  @Option(names = "--kid-subsets", paramLabel = "N", defaultValue = "100", description = "KID subsets (clean-fid's num_subsets, default 100).")
  int kidSubsets;

  @Option(names = "--kid-subset-size", paramLabel = "N", defaultValue = "1000",
      description = "KID subset size at most (clean-fid's max_subset_size, default 1000).")
  int kidSubsetSize;

  @Option(names = "--kid-sample", paramLabel = "N", defaultValue = "2000",
      description = "Feature vectors kept per cell (and of the reference) to draw KID's subsets from: a seeded sample (default 2000).")
  int kidSample;

  @Option(names = "--cells-in-flight", paramLabel = "N", defaultValue = "2",
      description = "Cells whose Spark jobs run at once, so one cell's last tasks overlap the next cell's first (default 2).")
  int cellsInFlight;

  @Option(names = "--run-id", paramLabel = "ID", description = "Run id (default: UTC timestamp + random suffix).")
  String runId;

  @CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
  ExistingOutput existing = new ExistingOutput();

  static final class ExistingOutput {
    @Option(names = "--resume", description = "Keep the cells already finished in --output; make only the missing ones.")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace an earlier sweep's output (only a folder a sweep wrote).")
    boolean overwrite;
  }

  @Mixin ModelRuntimeOptions runtime = new ModelRuntimeOptions();

  @Mixin S3Options s3 = new S3Options();

  @Option(names = "--master", paramLabel = "URL", description = "Spark master for ./diffusion-batch sweep (default local[*]); not allowed under spark-submit.")
  String master;

  @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Extra Spark conf (repeatable).")
  Map<String, String> conf = new LinkedHashMap<>();

  private final boolean underSparkSubmit;

  public SweepCommand() {
    this(false);
  }

  SweepCommand(boolean underSparkSubmit) {
    this.underSparkSubmit = underSparkSubmit;
  }

  @Override
  public Integer call() {
    SweepOptions options;
    try {
      options = toOptions(spec == null ? List.of() : spec.commandLine().getParseResult().originalArgs());
    } catch (IllegalArgumentException e) {
      System.err.println("sweep: " + e.getMessage());
      return EXIT_BAD_ARGUMENTS;
    }
    return SweepJob.run(options);
  }

  /** Checks the options' form and parses the grid. */
  SweepOptions toOptions(List<String> originalArgs) {
    if (underSparkSubmit && master != null) {
      throw new IllegalArgumentException("--master is not allowed under spark-submit, which sets the master; use spark-submit --master");
    }
    positive("--images-per-cell", imagesPerCell);
    positive("--batch-size", batchSize);
    positive("--chunk-size", chunkSize);
    positive("--kid-subsets", kidSubsets);
    positive("--cells-in-flight", cellsInFlight);
    if (errorGroups < 2) {
      throw new IllegalArgumentException("--error-groups must be at least 2 (FID's sampling error needs two disjoint groups), got " + errorGroups);
    }
    if (imagesPerCell < 2 * errorGroups) {
      throw new IllegalArgumentException("--images-per-cell " + imagesPerCell + " is too few for " + errorGroups
          + " error groups of at least 2 images each; give at least " + 2 * errorGroups);
    }
    if (kidSubsetSize < 2) {
      throw new IllegalArgumentException("--kid-subset-size must be at least 2, got " + kidSubsetSize);
    }
    if (kidSample < kidSubsetSize) {
      throw new IllegalArgumentException("--kid-sample " + kidSample + " must be at least --kid-subset-size " + kidSubsetSize);
    }
    if (keepImages < 0) {
      throw new IllegalArgumentException("--keep-images must be 0 or more, got " + keepImages);
    }
    if (image.steps() != null) {
      positive("--steps", image.steps());
    }
    runtime.validate();
    if (runId != null && !runId.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("--run-id " + runId + " may hold only letters, digits, '.', '_' and '-' (it names a file)");
    }
    SweepGrid sweepGrid = SweepGrid.of(grid, gridFile);
    if (image.model() != null && sweepGrid.variedNames().contains("model")) {
      throw new IllegalArgumentException("--model " + image.model() + " and a grid over 'model' both name the model; give one of them");
    }
    PromptFormat format = PromptFormat.parse(promptsFormat);
    if (format == null) {
      format = PromptFormat.guess(prompts);
    }
    SweepOptions.Fixed fixed = new SweepOptions.Fixed(image.modelOrBundled(), image.sampler(), image.steps(), image.guidance(),
        image.guidanceRescale(), image.width(), image.height(), image.negativePrompt(), image.samplerOverrides());
    return new SweepOptions(
        StorageUris.forSpark("--prompts", prompts), format, StorageUris.forSpark("--output", output),
        features, reference, clip, imagesPerCell, cyclePrompts, sweepGrid, fixed, seed, batchSize, chunkSize, errorGroups,
        keepImages, kidSubsets, kidSubsetSize, kidSample, cellsInFlight,
        runId == null ? newRunId() : runId, existing.resume, existing.overwrite,
        runtime.device(), runtime.intraOpThreads(), runtime.interOpThreads(), runtime.ortOptLevel(), runtime.gpuRunsPerGraph(),
        runtime.modelCache(),
        new S3Endpoint(s3.endpoint(), s3.region(), s3.pathStyle()),
        underSparkSubmit ? null : (master == null ? "local[*]" : master),
        Map.copyOf(conf), new ArrayList<>(originalArgs));
  }

  private static void positive(String option, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(option + " must be at least 1, got " + value);
    }
  }

  private static String newRunId() {
    return "sweep-" + java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)
        .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")) + "-" + java.util.UUID.randomUUID().toString().substring(0, 6);
  }
}
