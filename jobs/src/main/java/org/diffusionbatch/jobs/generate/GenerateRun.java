package org.diffusionbatch.jobs.generate;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.core.storage.ObjectStorage;
import org.diffusionbatch.core.storage.S3Settings;
import org.diffusionbatch.core.storage.StorageException;
import org.diffusionbatch.jobs.dataset.ImageRows;
import org.diffusionbatch.jobs.generate.executor.GenerateMetrics;
import org.diffusionbatch.jobs.generate.executor.GpuAsCpu;
import org.diffusionbatch.jobs.generate.executor.PartitionGenerator;
import org.diffusionbatch.jobs.generate.output.ErrorStaging;
import org.diffusionbatch.jobs.generate.output.ErrorsDataset;
import org.diffusionbatch.jobs.generate.output.LocalLeaseStore;
import org.diffusionbatch.jobs.generate.output.ManifestWriter;
import org.diffusionbatch.jobs.generate.output.OutputContents;
import org.diffusionbatch.jobs.generate.output.OutputLease;
import org.diffusionbatch.jobs.generate.output.ParquetWriting;
import org.diffusionbatch.jobs.generate.output.RunManifest;
import org.diffusionbatch.jobs.generate.output.RunRecord;
import org.diffusionbatch.jobs.generate.output.S3LeaseStore;
import org.diffusionbatch.jobs.model.ExecutorModels;
import org.diffusionbatch.jobs.model.ImageMaker;
import org.diffusionbatch.jobs.model.ImageMakerFactory;
import org.diffusionbatch.jobs.prompts.PromptFormat;
import org.diffusionbatch.jobs.prompts.PromptSource;
import org.diffusionbatch.jobs.prompts.PromptTable;
import org.diffusionbatch.jobs.spark.ConfigurationException;
import org.diffusionbatch.jobs.spark.JobSession;
import org.diffusionbatch.jobs.spark.S3Endpoint;
import org.diffusionbatch.jobs.spark.SerializableHadoopConf;
import org.diffusionbatch.jobs.spark.StorageAccess;
import org.diffusionbatch.jobs.spark.StorageUris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the generate job, on the driver: check everything that can be checked before any
 * work (exit 2), take the output's lease, record the run as running, plan the rows, make them in
 * commits of {@code --rows-per-commit} rows, write the errors dataset, record how the run ended in
 * its manifest, and print the summary — or, when stopped or failed, what happened and the command
 * that makes the rest.
 */
final class GenerateRun {
  private static final Logger LOG = LoggerFactory.getLogger(GenerateRun.class);

  private final GenerateOptions options;
  private final ImageMakerFactory factory;
  private final Instant startedAt = Instant.now();
  private final long startNanos = System.nanoTime();
  private volatile String leaseLost;

  GenerateRun(GenerateOptions options, ImageMakerFactory factory) {
    this.options = options;
    this.factory = factory;
  }

  int execute() {
    try (RunInterruption interruption = RunInterruption.install()) {
      return execute(interruption);
    }
  }

  /** Stopped at a check point because a stop was requested. */
  private static final class Interrupted extends RuntimeException {
    Interrupted() {
      super("interrupted");
    }
  }

  /** What the run holds while it goes, for the clean-up and the record of how it ended. */
  private static final class Held {
    OutputLease lease;
    boolean createdOutput;
    RunRecord record;
    GenerateMetrics metrics;
  }

  private int execute(RunInterruption interruption) {
    SparkSession spark = null;
    Held held = new Held();
    try {
      spark = JobSession.open("diffusion-batch generate " + options.runId(), options.master(),
          JobSession.defaults(options.s3(), StorageUris.isS3(options.output()) || StorageUris.isS3(options.errorsOutput())), options.conf());
      SparkContext sc = spark.sparkContext();
      interruption.onStop(sc::cancelAllJobs);
      return generate(spark, held, interruption);
    } catch (ConfigurationException e) {
      recordEnd(held, RunManifest.FAILED, e.getMessage());
      System.err.println("generate: " + e.getMessage());
      return GenerateCommand.EXIT_BAD_ARGUMENTS;
    } catch (Exception e) {
      return reportStopped(held, interruption, e);
    } finally {
      if (held.lease != null) {
        held.lease.close();
      }
      if (spark != null) {
        if (held.createdOutput && held.record == null) {
          removeIfEmpty(spark.sparkContext().hadoopConfiguration(), options.output());
        }
        spark.stop();
      }
      if (interruption.requested()) {
        // The process exits next: not while a cancelled task is still inside the model (see ExecutorModels).
        ExecutorModels.awaitCallsInProgress();
      }
    }
  }

  private int generate(SparkSession spark, Held held, RunInterruption interruption) throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    StorageAccess access = new StorageAccess(hadoop);
    boolean gpuAsCpu = GpuAsCpu.enabled(spark.sparkContext().getConf());
    if (gpuAsCpu) {
      LOG.warn("{}=true: tasks get GPU addresses from Spark but every model runs on the CPU; for testing a deployment only",
          GpuAsCpu.CONF);
    }

    // Read-only checks first: the input, where the outputs go.
    PromptFormat format = PromptSource.resolve(access, options.prompts(), options.promptsFormat());
    requireApart();
    access.requireWritable("--output", options.output());
    access.requireWritable("--errors-output", options.errorsOutput());

    // The first write: the lease. From here on this run alone writes the output.
    boolean outputExisted = access.status("--output", options.output()) != null;
    held.lease = takeLease(spark);
    held.createdOutput = !outputExisted;
    held.lease.keepAlive(reason -> {
      leaseLost = reason;
      LOG.error("run {} stops: {}", options.runId(), reason);
      spark.sparkContext().cancelAllJobs();
    });
    if (StorageUris.isS3(options.output())) {
      access.probeWrite("--output", options.output(), "_write-check-" + options.runId());
    }

    // What is there, seen under the lease.
    OutputContents output = OutputContents.inspect(access, "--output", options.output(), OutputContents.Kind.IMAGES);
    OutputContents errorsThere = OutputContents.inspect(access, "--errors-output", options.errorsOutput(), OutputContents.Kind.ERRORS);
    if (output.exists() && !options.resume() && !options.overwrite()) {
      throw new ConfigurationException("--output " + options.output()
          + " already exists; give --resume to make only the missing rows, --overwrite to replace it, or another --output");
    }
    if (options.overwrite()) {
      output.requireDeletableByOverwrite();
      errorsThere.requireDeletableByOverwrite();
    } else if (errorsThere.isFile()) {
      throw new ConfigurationException("--errors-output " + options.errorsOutput() + " is a file, not a dataset; choose another --errors-output");
    }
    if (!options.overwrite() && access.status("--output", ManifestWriter.location(options.output(), options.runId())) != null) {
      throw new ConfigurationException("--run-id " + options.runId() + ": --output " + options.output() + " already has a run with this id ("
          + ManifestWriter.location(options.output(), options.runId()) + "); a run id names one run: choose another or leave --run-id out");
    }

    PromptTable.Read prompts = PromptTable.read(spark, options.prompts(), format);
    ImageMaker driverModel = loadOnDriver();
    RunSettings run = RunSettings.resolve(options, driverModel.defaults());
    try {
      driverModel.validate(run.toGenerationSettings());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("the model " + driverModel.modelUri() + " cannot run these settings: " + e.getMessage(), e);
    }
    if (options.resume() && !options.resumeWithNewSettings()) {
      ResumeCheck.requireSameSettings(output.manifests(), hadoop, options.output(), driverModel.modelDigest(), run);
    }
    if (!spark.sparkContext().isLocal()) {
      // Executors load their own; the driver's copy was only for checking. In local mode the tasks share it.
      ExecutorModels.closeAll();
    }
    checkPoint(interruption);

    // Everything checked: write.
    if (options.overwrite()) {
      output.deleteForOverwrite();
      errorsThere.deleteForOverwrite();
    }
    ErrorsDataset errors = new ErrorsDataset(spark, options.errorsOutput(), options.runId());
    errors.deleteLeftoverStaging();
    RunRecord record = new RunRecord(options, hadoop, driverModel.modelUri(), driverModel.modelDigest(), run, gpuAsCpu, spark, startedAt,
        startNanos);
    record.input = prompts.count();
    record.invalidUtf8 = prompts.invalidUtf8Rows();
    record.write(RunManifest.RUNNING, null, null);
    held.record = record;
    warnInvalidUtf8(prompts);

    long planStart = System.nanoTime();
    Dataset<Row> done = options.resume() && !options.overwrite() && output.hasData() ? madeIds(spark) : null;
    RunPlanner.Plan plan = RunPlanner.plan(spark, prompts, done, options.partitions(), options.rowsPerCommit(), errors,
        options.resume() && errorsThere.exists(), options.runId());
    record.planSeconds = (System.nanoTime() - planStart) / 1e9;
    record.skipped = plan.skipped();
    record.duplicates = plan.duplicates();
    record.partitions = plan.partitions();
    record.commitsTotal = plan.commits();
    record.write(RunManifest.RUNNING, null, null);
    checkPoint(interruption);

    long generateStart = System.nanoTime();
    GenerateMetrics metrics = GenerateMetrics.register(spark.sparkContext());
    held.metrics = metrics;
    ErrorStaging staging = new ErrorStaging(options.errorsOutput(), options.runId(),
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(new SerializableHadoopConf(hadoop)));
    PartitionGenerator generator = new PartitionGenerator(GpuAsCpu.wrapIf(gpuAsCpu, factory), options.device(), run,
        options.batchSize(), options.runId(), metrics, staging);
    makeImages(spark, plan, generator, metrics, errors, record, interruption, generateStart);
    record.generateSeconds = (System.nanoTime() - generateStart) / 1e9;

    if (!OutputContents.inspect(access, "--output", options.output(), OutputContents.Kind.IMAGES).hasData()) {
      // Nothing made (no rows, or every row failed): an empty dataset with the schema, so readers still open it.
      spark.createDataFrame(List.of(), ImageRows.SCHEMA).coalesce(1).write().mode(SaveMode.Append).parquet(options.output());
    }
    long failedRows = plan.duplicates() + metrics.rowsFailed().value();
    String status = failedRows == 0 ? RunManifest.COMPLETE : RunManifest.COMPLETE_WITH_ERRORS;
    RunManifest manifest = record.write(status, metrics, null);
    printSummary(manifest, record.location(), plan);
    return failedRows == 0 ? GenerateCommand.EXIT_OK : GenerateCommand.EXIT_SOME_ROWS_FAILED;
  }

  /**
   * One Spark write per {@code --rows-per-commit} rows (split by a hash of prompt_id: {@link RunPlanner}), each appended
   * and committed on its own; after each, the rows that failed in it go to the errors dataset and
   * the manifest records the commit.
   */
  private void makeImages(SparkSession spark, RunPlanner.Plan plan, PartitionGenerator generator, GenerateMetrics metrics,
      ErrorsDataset errors, RunRecord record, RunInterruption interruption, long generateStart) throws IOException {
    long commits = plan.commits();
    int published = 0;
    try (ProgressReporter progress = new ProgressReporter(spark.sparkContext(), metrics, plan.toMake(), Duration.ofSeconds(
        spark.sparkContext().getConf().getLong("diffusionbatch.progressIntervalSeconds", 30)))) {
      for (long commit = 0; commit < commits; commit++) {
        checkPoint(interruption);
        Dataset<Row> rows = plan.commit(commit);
        // Named in the Spark UI and event log, so a commit's jobs and stages can be found.
        spark.sparkContext().setJobDescription("generate " + options.runId() + ": commit " + (commit + 1) + " of " + commits);
        try {
          rows.mapPartitions(generator, Encoders.row(ImageRows.SCHEMA))
              .write().mode(SaveMode.Append).options(ParquetWriting.imageOptions(options.maxRecordsPerFile()))
              .parquet(options.output());
        } finally {
          spark.sparkContext().setJobDescription(null);
        }
        List<ErrorStaging.Staged> staged = metrics.stagedErrors().value();
        errors.publish(staged.subList(published, staged.size()));
        published = staged.size();
        record.commitsDone = commit + 1;
        record.generateSeconds = (System.nanoTime() - generateStart) / 1e9;
        record.write(RunManifest.RUNNING, metrics, null);
        LOG.info("run {}: commit {} of {} written; {}", options.runId(), commit + 1, commits, progress.line());
      }
    } finally {
      plan.work().unpersist();
    }
  }

  private void checkPoint(RunInterruption interruption) {
    if (interruption.requested()) {
      throw new Interrupted();
    }
  }

  /**
   * A run that did not finish: record why in its manifest, say what happened in one line and how to
   * make the rest. An interruption or a lost lease is not a bug: no stack trace for those.
   */
  private int reportStopped(Held held, RunInterruption interruption, Exception e) {
    String progress = held.record == null ? "before writing anything"
        : "after " + held.record.commitsDone + " of " + held.record.commitsTotal + " commits ("
            + (held.metrics == null ? 0 : held.metrics.imagesMade().value()) + " images made; finished commits are kept)";
    String resume = ResumeCommand.of(options.arguments(), options.underSparkSubmit());
    if (interruption.requested()) {
      recordEnd(held, RunManifest.INTERRUPTED, "stopped by " + interruption.cause());
      System.err.println("generate: run " + options.runId() + " was interrupted by " + interruption.cause() + " " + progress
          + (held.record == null ? "; run the same command again" : ". To make the rest: " + resume));
      return interruption.exitStatus();
    }
    String why = leaseLost != null ? "it lost the output: " + leaseLost : describe(e);
    if (leaseLost == null) {
      LOG.error("generate run {} failed", options.runId(), e);
    }
    recordEnd(held, RunManifest.FAILED, why);
    System.err.println("generate: run " + options.runId() + " failed " + progress + ": " + why
        + (held.record == null || leaseLost != null ? "" : ". When the cause is fixed, make the rest with: " + resume));
    return GenerateCommand.EXIT_FAILED;
  }

  /** The failure and, when different, its root cause, each on one line. */
  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String first = StorageAccess.firstLine(e);
    return root == e ? first : first + " (cause: " + root.getClass().getSimpleName() + ": " + StorageAccess.firstLine(root) + ")";
  }

  /** Records how the run ended, once a manifest exists; a failure to record is logged, not thrown over the first problem. */
  private void recordEnd(Held held, String status, String error) {
    if (held.record == null) {
      return;
    }
    try {
      held.record.write(status, held.metrics, error);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not record run {} as {} in {}: {}", options.runId(), status,
          ManifestWriter.location(options.output(), options.runId()), e.toString());
    }
  }

  /** --output and --errors-output must neither hold --prompts nor lie inside it. */
  private void requireApart() {
    for (String[] target : List.of(new String[] {"--output", options.output()}, new String[] {"--errors-output", options.errorsOutput()})) {
      if (Locations.within(options.prompts(), target[1])) {
        throw new ConfigurationException(target[0] + " " + target[1] + " holds --prompts " + options.prompts()
            + "; the job writes (and --overwrite deletes) there: choose another " + target[0]);
      }
      if (Locations.within(target[1], options.prompts())) {
        throw new ConfigurationException(target[0] + " " + target[1] + " is inside --prompts " + options.prompts()
            + "; the next read of the prompts would include it: choose another " + target[0]);
      }
    }
  }

  private OutputLease takeLease(SparkSession spark) throws IOException {
    String location = StorageUris.child(options.output(), OutputLease.FILE_NAME);
    var conf = spark.sparkContext().getConf();
    Duration ttl = Duration.ofSeconds(conf.getLong("diffusionbatch.lease.ttlSeconds", 120));
    Duration settle = Duration.ofMillis(conf.getLong("diffusionbatch.lease.settleMillis", 1500));
    try {
      if (StorageUris.isS3(location)) {
        S3Endpoint s3 = options.s3();
        ObjectStorage storage = ObjectStorage.create(new S3Settings(s3.endpoint(), s3.region(), s3.pathStyle()));
        S3LeaseStore store = new S3LeaseStore(storage, StorageUris.forObjectStorage(location));
        OutputLease lease;
        try {
          lease = OutputLease.acquire(store, options.output(), options.runId(), ttl, settle, options.breakLease());
        } catch (IOException | RuntimeException e) {
          store.close();
          throw e;
        }
        if (Boolean.FALSE.equals(store.conditionsHonoured())) {
          LOG.warn("the store of {} ignores conditional writes (If-None-Match): the output lease falls back to write and read back,"
              + " so runs started within {} ms of each other may both start; each stops at its next lease renewal", options.output(),
              settle.toMillis());
        }
        return lease;
      }
      return OutputLease.acquire(new LocalLeaseStore(StorageUris.localPath(location)), options.output(), options.runId(), ttl, settle,
          options.breakLease());
    } catch (StorageException | java.nio.file.FileSystemException e) {
      throw StorageAccess.explain("--output", options.output(), "write to", e);
    }
  }

  /**
   * The prompt_ids already in the output, as its files are now. Behind an RDD, not a read of the
   * output's path: each commit appends to that path, and Spark then rebuilds every cached plan that
   * reads it, so the cached rows to make (planned against these ids) were joined again, input against
   * output, for every commit — a resume of 900,000 of 10M rows spent 67 s per 100,000-row commit on it.
   * The files listed here are never removed during the run, so a lost cached partition is recomputed
   * from the same ids.
   */
  private Dataset<Row> madeIds(SparkSession spark) {
    try {
      Dataset<Row> ids = spark.read().parquet(options.output()).select("prompt_id");
      return spark.createDataFrame(ids.javaRDD(), ids.schema());
    } catch (RuntimeException e) {
      throw new ConfigurationException("--resume: cannot read the prompt_ids of the existing output " + options.output()
          + ": " + StorageAccess.firstLine(e) + " (is it a dataset this job wrote?)", e);
    }
  }

  private ImageMaker loadOnDriver() {
    try {
      return ExecutorModels.get(factory, null);
    } catch (RuntimeException e) {
      throw new ConfigurationException("--model " + options.model() + " cannot be loaded: " + StorageAccess.firstLine(e), e);
    }
  }

  private void warnInvalidUtf8(PromptTable.Read prompts) {
    if (prompts.invalidUtf8Rows() > 0) {
      System.err.println("generate: warning: " + prompts.invalidUtf8Rows() + " row(s) of --prompts " + options.prompts()
          + " hold bytes that are not UTF-8 (read as U+FFFD), first at " + prompts.firstInvalidUtf8()
          + "; those prompts are made as read: save the file as UTF-8 to make them as meant");
    }
  }

  /** Removes the output folder this run created if nothing is in it (a run stopped by a check leaves no trace). */
  private static void removeIfEmpty(Configuration hadoop, String uri) {
    try {
      Path path = new Path(uri);
      FileSystem fs = path.getFileSystem(hadoop);
      if (fs.exists(path) && fs.getFileStatus(path).isDirectory() && fs.listStatus(path).length == 0) {
        fs.delete(path, false);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not remove the empty output folder {}: {}", uri, e.toString());
    }
  }

  private void printSummary(RunManifest manifest, String manifestAt, RunPlanner.Plan plan) {
    RunManifest.Counts counts = manifest.counts();
    if (counts.input() == 0) {
      System.out.printf("generate run %s: --prompts %s holds 0 prompt rows; nothing to make%n", manifest.runId(), options.prompts());
    }
    System.out.printf("generate run %s: %d input rows, %d images made, %d errors (%d duplicates), %d skipped by --resume%n",
        manifest.runId(), counts.input(), counts.made(), counts.errors(), counts.duplicates(), counts.skippedByResume());
    System.out.printf("  %d partitions (tasks per commit), %d commits; %.2f images/s over %.1f s of generation (planning %.1f s);"
            + " UNet %.3f s summed over batches%n",
        plan.partitions(), manifest.commits() == null ? 0 : manifest.commits().total(), manifest.timings().imagesPerSecond(),
        manifest.timings().generateSeconds(), manifest.timings().planSeconds(), manifest.timings().unetSeconds());
    if (manifest.gpuAsCpu()) {
      System.out.printf("  models ran on the CPU with the GPU addresses Spark assigned (%s=true)%n", GpuAsCpu.CONF);
    }
    System.out.printf("  images:   %s%n", options.output());
    if (counts.errors() > 0) {
      System.out.printf("  errors:   %s%n", options.errorsOutput());
    }
    System.out.printf("  manifest: %s (status %s)%n", manifestAt, manifest.status());
  }
}
