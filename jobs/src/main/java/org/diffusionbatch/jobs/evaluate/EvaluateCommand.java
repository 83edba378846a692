package org.diffusionbatch.jobs.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diffusionbatch.core.metrics.Preprocessing;
import org.diffusionbatch.jobs.spark.Device;
import org.diffusionbatch.jobs.spark.StorageUris;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code evaluate}: the options of the metrics job, shared by {@code ./diffusion-batch evaluate}
 * (local Spark) and {@code spark-submit --class EvaluateJob}. Exit codes: 0 done, 3 done but some
 * images were left out (unreadable, or non-finite features; counted in the table), 2 bad
 * arguments, data or models (nothing written), 1 failure.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "FID, KID and CLIP score of an image set (per group), computed on Spark, into a metrics table.")
public final class EvaluateCommand implements Callable<Integer> {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_BAD_ARGUMENTS = 2;
  public static final int EXIT_IMAGES_LEFT_OUT = 3;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--images", required = true, paramLabel = "URI",
      description = "The images: a Parquet dataset with an image column (e.g. a generate output) or a folder of PNG/JPEG files; local, file:, s3:// or s3a://.")
  String images;

  @Option(names = "--image-column", paramLabel = "NAME", description = "Image column (binary, or struct with binary 'bytes'; default: 'image', else the only such column).")
  String imageColumn;

  @Option(names = "--features", paramLabel = "MODEL",
      description = "Image feature model: a .onnx file or a folder holding model.onnx (+ feature_extractor.json), or s3:// prefix; e.g. models/tiny-features or an exported FID Inception.")
  String features;

  @Option(names = "--preprocess", paramLabel = "MODE", description = "Resizing for the feature model: clean, legacy-pytorch or none (default: the model's feature_extractor.json, else clean).")
  String preprocess;

  @Option(names = "--reference", paramLabel = "STATS|DATASET",
      description = "Reference for FID/KID: a .npz statistics file (pytorch-fid / clean-fid format), a .npy feature matrix, or an image set as --images.")
  String reference;

  @Option(names = "--reference-image-column", paramLabel = "NAME", description = "Image column of a --reference dataset (default as --image-column).")
  String referenceImageColumn;

  @Option(names = "--clip", paramLabel = "MODEL", description = "CLIP model (an Optimum export folder) for CLIP score against each row's prompt.")
  String clip;

  @Option(names = "--prompt-column", paramLabel = "NAME", defaultValue = "prompt", description = "Prompt column for CLIP score (default prompt).")
  String promptColumn;

  @Option(names = "--group-by", paramLabel = "COLUMNS", split = ",", description = "Metrics per group of these columns, e.g. sampler,steps (default: one group).")
  List<String> groupBy = new ArrayList<>();

  @Option(names = "--save-stats", paramLabel = "FILE.npz", description = "Write the feature statistics of all --images here (e.g. reference statistics of real images).")
  String saveStats;

  @Option(names = "--output", paramLabel = "DIR", description = "Folder for the metrics table (metrics.csv, metrics/ Parquet) and per-group statistics (stats/*.npz).")
  String output;

  @Option(names = "--overwrite", description = "Replace --output (and --save-stats) when they exist.")
  boolean overwrite;

  @Mixin KidOptions kid = new KidOptions();

  @Mixin SparkRunOptions run = new SparkRunOptions();

  private final boolean underSparkSubmit;

  public EvaluateCommand() {
    this(false);
  }

  EvaluateCommand(boolean underSparkSubmit) {
    this.underSparkSubmit = underSparkSubmit;
  }

  @Override
  public Integer call() {
    EvaluateOptions options;
    try {
      options = toOptions(spec == null ? List.of() : spec.commandLine().getParseResult().originalArgs());
    } catch (IllegalArgumentException e) {
      System.err.println("evaluate: " + e.getMessage());
      return EXIT_BAD_ARGUMENTS;
    }
    return EvaluateJob.run(options);
  }

  /** Checks the options' form; models and data are checked by the run, before any work. */
  EvaluateOptions toOptions(List<String> originalArgs) {
    if (underSparkSubmit && run.master != null) {
      throw new IllegalArgumentException("--master is not allowed under spark-submit, which sets the master; use spark-submit --master");
    }
    if (features == null && clip == null) {
      throw new IllegalArgumentException("give --features MODEL (FID, KID, statistics) and/or --clip MODEL (CLIP score)");
    }
    if (features == null && (reference != null || saveStats != null || kid.kid || preprocess != null)) {
      throw new IllegalArgumentException("--reference, --save-stats, --kid and --preprocess need --features MODEL");
    }
    if (output == null && saveStats == null) {
      throw new IllegalArgumentException("give --output DIR for the metrics table, or --save-stats FILE.npz");
    }
    if (kid.kid && reference == null) {
      throw new IllegalArgumentException("--kid needs --reference (a .npy feature matrix or an image set)");
    }
    if (kid.kid && StatsFiles.isStatistics(reference)) {
      throw new IllegalArgumentException("--kid needs the reference's feature vectors, but --reference " + reference
          + " is a statistics file (mu, sigma only); give a .npy feature matrix or the reference images");
    }
    if (saveStats != null && !StatsFiles.isStatistics(saveStats)) {
      throw new IllegalArgumentException("--save-stats " + saveStats + " must end in .npz (pytorch-fid's statistics format)");
    }
    run.check();
    List<String> groups = new ArrayList<>();
    for (String g : groupBy) {
      if (!g.isBlank()) {
        groups.add(g.trim());
      }
    }
    if (groups.stream().distinct().count() != groups.size()) {
      throw new IllegalArgumentException("--group-by names a column twice: " + groups);
    }
    Preprocessing mode = preprocess == null ? null : Preprocessing.parse(preprocess);
    String sparkImages = StorageUris.forSpark("--images", images);
    String sparkReference = reference == null ? null : StorageUris.forSpark("--reference", reference);
    String sparkOutput = output == null ? null : StorageUris.forSpark("--output", output);
    String sparkSaveStats = saveStats == null ? null : StorageUris.forSpark("--save-stats", saveStats);
    if (sparkOutput != null && sparkOutput.replaceAll("/+$", "").equals(sparkImages.replaceAll("/+$", ""))) {
      throw new IllegalArgumentException("--output must differ from --images (" + images + ")");
    }
    MetricModels models = run.models(modelUri("--features", features), mode, modelUri("--clip", clip));
    return new EvaluateOptions(sparkImages, imageColumn, clip == null ? null : promptColumn, List.copyOf(groups),
        models, sparkReference, referenceImageColumn != null ? referenceImageColumn : imageColumn, sparkSaveStats,
        sparkOutput, kid.settings(), run.batchSize, run.partitions, Device.parse(run.device), overwrite, run.s3.settings(),
        underSparkSubmit ? null : (run.master == null ? "local[*]" : run.master), Map.copyOf(run.conf),
        new ArrayList<>(originalArgs));
  }

  /** A model URI as core loads it: a local path made absolute, or s3://. */
  static String modelUri(String option, String uri) {
    if (uri == null) {
      return null;
    }
    String scheme = uri.contains("://") ? uri.substring(0, uri.indexOf("://")) : null;
    if (scheme == null) {
      return java.nio.file.Path.of(uri).toAbsolutePath().normalize().toString();
    }
    if (StorageUris.isS3(uri) || uri.startsWith("file:")) {
      return uri;
    }
    throw new IllegalArgumentException(option + " " + uri + ": use a local path or s3://bucket/prefix/");
  }
}
