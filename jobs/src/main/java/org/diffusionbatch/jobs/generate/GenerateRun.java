package org.diffusionbatch.jobs.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the generate job, on the driver: check everything that can be checked before any
 * work (exit 2), plan the rows, make them in commits of {@code --rows-per-commit} rows, write the
 * errors dataset and the manifest, and print the summary.
 */
final class GenerateRun {
  private static final Logger LOG = LoggerFactory.getLogger(GenerateRun.class);

  private final GenerateOptions options;
  private final ImageMakerFactory factory;
  private final Instant startedAt = Instant.now();

  GenerateRun(GenerateOptions options, ImageMakerFactory factory) {
    this.options = options;
    this.factory = factory;
  }

  int execute() {
    SparkSession spark = null;
    try {
      spark = JobSession.open(options);
      return generate(spark);
    } catch (ConfigurationException e) {
      System.err.println("generate: " + e.getMessage());
      return GenerateCommand.EXIT_BAD_ARGUMENTS;
    } catch (Exception e) {
      LOG.error("generate run {} failed", options.runId(), e);
      System.err.println("generate: run " + options.runId() + " failed: " + e);
      return GenerateCommand.EXIT_FAILED;
    } finally {
      if (spark != null) {
        spark.stop();
      }
    }
  }

  private int generate(SparkSession spark) throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    TestHooks hooks = TestHooks.from(spark.sparkContext().getConf());
    boolean gpuAsCpu = GpuAsCpu.enabled(spark.sparkContext().getConf());
    if (gpuAsCpu) {
      LOG.warn("{}=true: tasks get GPU addresses from Spark but every model runs on the CPU; for testing a deployment only",
          GpuAsCpu.CONF);
    }
    Checked checked = checkBeforeWork(spark, hadoop, hooks);
    if (options.overwrite()) {
      delete(hadoop, options.output());
      delete(hadoop, options.errorsOutput());
    }
    long planStart = System.nanoTime();
    Plan plan = plan(spark, checked.prompts(), options.resume() && checked.outputExists());
    appendErrors(spark, plan.duplicates());
    double planSeconds = (System.nanoTime() - planStart) / 1e9;

    long generateStart = System.nanoTime();
    GenerateMetrics metrics = GenerateMetrics.register(spark.sparkContext());
    makeImages(spark, plan, new PartitionGenerator(GpuAsCpu.wrapIf(gpuAsCpu, factory), options.device(), checked.run(),
        options.batchSize(), options.runId(), metrics, hooks), metrics);
    double generateSeconds = (System.nanoTime() - generateStart) / 1e9;

    long made = metrics.imagesMade().value();
    long errors = plan.duplicates().size() + metrics.errors().value().size();
    RunManifest manifest = new RunManifest(options.runId(), options.arguments(), options.prompts(), options.output(),
        options.errorsOutput(), checked.modelUri(), checked.modelDigest(), checked.run(), gpuAsCpu,
        new RunManifest.Counts(plan.input(), made, errors, plan.skipped(), plan.duplicates().size()),
        new RunManifest.Timings((System.nanoTime() - planStart) / 1e9, planSeconds, generateSeconds, metrics.unetSeconds().value(),
            made / Math.max(generateSeconds, 1e-9)),
        versions(spark), startedAt.toString(), Instant.now().toString(), errors == 0 ? "complete" : "complete_with_errors");
    String manifestAt = ManifestWriter.write(manifest, options.s3(), hadoop);
    printSummary(manifest, manifestAt);
    return errors == 0 ? GenerateCommand.EXIT_OK : GenerateCommand.EXIT_SOME_ROWS_FAILED;
  }

  /** What the checks before any work found out: the prompt table (not yet scanned beyond positions), the model, the run's settings. */
  private record Checked(PromptTable.Read prompts, boolean outputExists, RunSettings run, String modelUri, String modelDigest) {}

  /** Everything that can fail for a reason the user must fix, before anything is written (exit 2). */
  private Checked checkBeforeWork(SparkSession spark, Configuration hadoop, TestHooks hooks) throws IOException {
    boolean outputExists = exists(hadoop, options.output());
    if (outputExists && !options.resume() && !options.overwrite()) {
      throw new ConfigurationException("--output " + options.output()
          + " already exists; give --resume to make only the missing rows, --overwrite to replace it, or another --output");
    }
    PromptTable.Read prompts = PromptTable.read(spark, options.prompts(), options.promptsFormat());
    ImageMaker driverModel = loadOnDriver(hooks);
    RunSettings run = RunSettings.resolve(options, driverModel.defaults());
    try {
      driverModel.validate(run.toGenerationSettings());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("the model " + driverModel.modelUri() + " cannot run these settings: " + e.getMessage(), e);
    }
    Checked checked = new Checked(prompts, outputExists && !options.overwrite(), run, driverModel.modelUri(), driverModel.modelDigest());
    if (!spark.sparkContext().isLocal()) {
      // Executors load their own; the driver's copy was only for checking. In local mode the tasks share it.
      ExecutorModels.closeAll();
    }
    return checked;
  }

  /** The rows to make (persisted), and the counts the summary reports. */
  private record Plan(Dataset<Row> work, long input, long toMake, long skipped, List<ErrorRecord> duplicates) {}

  private Plan plan(SparkSession spark, PromptTable.Read read, boolean resume) {
    Dataset<Row> prompts = read.rows();
    WorkList.Split split = WorkList.dropDuplicates(prompts);
    Dataset<Row> work = split.keep();
    Dataset<Row> done = resume ? madeIds(spark) : null;
    if (done != null) {
      // The anti-join shuffles; put the rows back into as many partitions as were read (or asked for).
      int partitions = options.partitions() != null ? options.partitions() : prompts.rdd().getNumPartitions();
      work = WorkList.without(work, done).repartition(partitions);
    } else if (options.partitions() != null) {
      work = work.repartition(options.partitions());
    }
    work = work.persist(StorageLevel.MEMORY_AND_DISK());
    List<ErrorRecord> duplicates = duplicateErrors(split.duplicates());
    long toMake = work.count();
    long skipped = read.count() - duplicates.size() - toMake;
    LOG.info("run {}: {} input rows, {} duplicates dropped, {} already in the output, {} to make",
        options.runId(), read.count(), duplicates.size(), skipped, toMake);
    return new Plan(work, read.count(), toMake, skipped, duplicates);
  }

  /**
   * One Spark write per {@code --rows-per-commit} rows (split by a hash of prompt_id), each appended
   * and committed on its own; after each, the rows that failed in it go to the errors dataset.
   */
  private void makeImages(SparkSession spark, Plan plan, PartitionGenerator generator, GenerateMetrics metrics) {
    long commits = Math.max(1, (plan.toMake() + options.rowsPerCommit() - 1) / options.rowsPerCommit());
    int errorsWritten = 0;
    try (ProgressReporter progress = new ProgressReporter(spark.sparkContext(), metrics, plan.toMake(), Duration.ofSeconds(
        spark.sparkContext().getConf().getLong("diffusionbatch.progressIntervalSeconds", 30)))) {
      for (long commit = 0; commit < commits && plan.toMake() > 0; commit++) {
        Dataset<Row> rows = commits == 1
            ? plan.work()
            : plan.work().filter(pmod(hash(col(WorkColumns.PROMPT_ID)), lit(commits)).equalTo(commit));
        rows.mapPartitions(generator, Encoders.row(ImageRows.SCHEMA))
            .write().mode(SaveMode.Append).options(ParquetWriting.imageOptions(options.maxRecordsPerFile()))
            .parquet(options.output());
        List<ErrorRecord> failed = metrics.errors().value();
        appendErrors(spark, failed.subList(errorsWritten, failed.size()));
        errorsWritten = failed.size();
        LOG.info("run {}: commit {} of {} written; {}", options.runId(), commit + 1, commits, progress.line());
      }
    } finally {
      plan.work().unpersist();
    }
  }

  /** The prompt_ids already in the output; null when it holds no data files yet (e.g. only a manifest). */
  private Dataset<Row> madeIds(SparkSession spark) {
    try {
      return spark.read().parquet(options.output()).select("prompt_id");
    } catch (Exception e) {
      if (e instanceof org.apache.spark.sql.AnalysisException && String.valueOf(e.getMessage()).contains("UNABLE_TO_INFER_SCHEMA")) {
        return null;
      }
      throw new ConfigurationException("--resume: cannot read the prompt_ids of the existing output " + options.output()
          + ": " + e.getMessage() + " (is it a dataset this job wrote?)", e);
    }
  }

  private ImageMaker loadOnDriver(TestHooks hooks) {
    try {
      return ExecutorModels.get(factory, null, hooks::modelLoaded);
    } catch (RuntimeException e) {
      throw new ConfigurationException("--model " + options.model() + " cannot be loaded: " + e.getMessage(), e);
    }
  }

  private List<ErrorRecord> duplicateErrors(List<Row> duplicates) {
    List<ErrorRecord> errors = new ArrayList<>();
    for (Row row : duplicates) {
      errors.add(ErrorRecord.of(row.getString(0), row.getString(1), "input", row.getString(2), options.runId()));
    }
    return errors;
  }

  private void appendErrors(SparkSession spark, List<ErrorRecord> errors) {
    if (errors.isEmpty()) {
      return;
    }
    List<Row> rows = new ArrayList<>(errors.size());
    errors.forEach(e -> rows.add(e.toRow()));
    spark.createDataFrame(rows, ErrorRecord.SCHEMA).coalesce(1).write().mode(SaveMode.Append).parquet(options.errorsOutput());
  }

  private static boolean exists(Configuration hadoop, String uri) throws IOException {
    Path path = new Path(uri);
    return path.getFileSystem(hadoop).exists(path);
  }

  private static void delete(Configuration hadoop, String uri) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = path.getFileSystem(hadoop);
    if (fs.exists(path) && !fs.delete(path, true)) {
      throw new IOException("could not delete " + uri + " for --overwrite");
    }
  }

  private static Map<String, String> versions(SparkSession spark) {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("diffusion_batch", versionOf(GenerateRun.class));
    versions.put("spark", spark.version());
    versions.put("scala", scala.util.Properties.versionNumberString());
    versions.put("java", System.getProperty("java.version"));
    versions.put("hadoop", org.apache.hadoop.util.VersionInfo.getVersion());
    versions.put("djl", String.valueOf(ai.djl.Model.class.getPackage().getSpecificationVersion()));
    // The CUDA build (onnxruntime_gpu) has the same classes: its version shows which one ran.
    versions.put("onnxruntime", versionOf(ai.onnxruntime.OrtSession.class));
    return versions;
  }

  static String versionOf(Class<?> type) {
    String version = type.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  private void printSummary(RunManifest manifest, String manifestAt) {
    RunManifest.Counts counts = manifest.counts();
    System.out.printf("generate run %s: %d input rows, %d images made, %d errors (%d duplicates), %d skipped by --resume%n",
        manifest.runId(), counts.input(), counts.made(), counts.errors(), counts.duplicates(), counts.skippedByResume());
    System.out.printf("  %.2f images/s over %.1f s of generation (planning %.1f s); UNet %.3f s summed over batches%n",
        manifest.timings().imagesPerSecond(), manifest.timings().generateSeconds(), manifest.timings().planSeconds(),
        manifest.timings().unetSeconds());
    if (manifest.gpuAsCpu()) {
      System.out.printf("  models ran on the CPU with the GPU addresses Spark assigned (%s=true)%n", GpuAsCpu.CONF);
    }
    System.out.printf("  images:   %s%n", options.output());
    if (counts.errors() > 0) {
      System.out.printf("  errors:   %s%n", options.errorsOutput());
    }
    System.out.printf("  manifest: %s%n", manifestAt);
  }
}
