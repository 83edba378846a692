package org.diffusionbatch.jobs.sweep;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.jobs.spark.ConfigurationException;
import org.diffusionbatch.jobs.model.ExecutorModels;
import org.diffusionbatch.jobs.spark.JobSession;
import org.diffusionbatch.jobs.spark.StorageUris;
import org.diffusionbatch.jobs.spark.Versions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the sweep, on the driver: check everything before any work (the output, every cell
 * against its model, the prompts, the reference: exit 2), then make the missing cells, a few
 * Spark jobs at a time, saving each as it finishes; then the metrics table, the report and the
 * manifest.
 */
final class SweepRun {
  private static final Logger LOG = LoggerFactory.getLogger(SweepRun.class);

  private final SweepOptions options;
  private final ModelLoaders loaders;
  private final Instant startedAt = Instant.now();

  SweepRun(SweepOptions options, ModelLoaders loaders) {
    this.options = options;
    this.loaders = loaders;
  }

  int execute() {
    SparkSession spark = null;
    try {
      spark = JobSession.open("diffusion-batch sweep " + options.runId(), options.master(),
          JobSession.defaults(options.s3(), StorageUris.isS3(options.output())), options.conf());
      return sweep(spark);
    } catch (ConfigurationException | IllegalArgumentException e) {
      System.err.println("sweep: " + e.getMessage());
      return SweepCommand.EXIT_BAD_ARGUMENTS;
    } catch (Exception e) {
      LOG.error("sweep run {} failed", options.runId(), e);
      System.err.println("sweep: run " + options.runId() + " failed: " + e);
      return SweepCommand.EXIT_FAILED;
    } finally {
      ExecutorModels.closeAll();
      if (spark != null) {
        spark.stop();
      }
    }
  }

  private int sweep(SparkSession spark) throws IOException, InterruptedException {
    SweepOutput output = new SweepOutput(options.output(), options.s3(), spark.sparkContext().hadoopConfiguration());
    checkOutput(output);
    ModelRuntime runtime = new ModelRuntime(options.intraOpThreads(), options.interOpThreads(), options.ortOptLevel(),
        options.gpuRunsPerGraph(), options.modelCache(), options.s3());
    List<Cell> cells = new CellPlanner(loaders, runtime).plan(options.grid(), options.fixed());
    boolean resuming = options.resume() && output.exists(SweepOutput.PLAN);
    MetricsScoring scoring = MetricsScoring.open(spark, options, runtime);
    List<SampleRow> rows = SampleRows.read(spark, options.prompts(), options.promptsFormat(), options.imagesPerCell(),
        options.cyclePrompts(), options.seed(), options.fixed().negativePrompt());
    SweepPlan plan = SweepPlan.of(options, rows, scoring.describe(), cells);
    List<Cell> pending = pendingCells(output, plan, cells);
    if (options.overwrite()) {
      output.deleteRoot();
    }
    scoring.loadReference(output, resuming);
    output.write(SweepOutput.PLAN, plan.json());
    output.write(SweepOutput.SAMPLES, SampleRows.csv(rows));
    scoring.saveReference(output);
    LOG.info("sweep {}: {} cells of {} images, {} to make", options.runId(), cells.size(), rows.size(), pending.size());

    ChunkScorer scorer = new ChunkScorer(loaders, runtime, scoring.pass(), options.batchSize(), options.keepImages(), options.runId());
    long start = System.nanoTime();
    Map<String, String> failures = makeCells(spark, output, scoring, scorer, rows, pending);
    double seconds = (System.nanoTime() - start) / 1e9;

    List<MetricsRow> table = new ArrayList<>();
    for (Cell cell : cells) {
      if (output.exists(CellStore.metricsFile(cell.id()))) {
        table.add(CellStore.readMetrics(output, cell.id()));
      }
    }
    String markdown = MetricsTable.write(spark, output, table);
    SweepReport.write(output, cells, table, options.grid().variedNames());
    SweepManifest manifest = SweepManifest.of(options, plan, cells.size(), pending.size(), failures, seconds,
        Versions.of(spark), startedAt, Instant.now());
    String manifestAt = output.write("_runs/" + options.runId() + ".json", manifest.json());
    printSummary(table, markdown, failures, seconds, output, manifestAt);
    return failures.isEmpty() ? SweepCommand.EXIT_OK : SweepCommand.EXIT_SOME_CELLS_FAILED;
  }

  /** An existing output needs --resume or --overwrite, and must be a sweep's. */
  private void checkOutput(SweepOutput output) throws IOException {
    if (output.rootEmpty()) {
      return;
    }
    boolean isSweep = output.exists(SweepOutput.PLAN);
    if (!options.resume() && !options.overwrite()) {
      throw new ConfigurationException("--output " + options.output() + " already exists; give --resume to make only the missing cells, "
          + "--overwrite to replace it, or another --output");
    }
    if (!isSweep) {
      throw new ConfigurationException("--output " + options.output() + " holds files but no " + SweepOutput.PLAN
          + ", so no sweep wrote it; it is left alone: give another --output");
    }
  }

  /** The cells not yet done; under --resume checks that the earlier plan's rows and scoring are the same. */
  private List<Cell> pendingCells(SweepOutput output, SweepPlan plan, List<Cell> cells) throws IOException {
    if (!options.resume() || !output.exists(SweepOutput.PLAN)) {
      return cells;
    }
    String incompatible = plan.incompatibility(SweepPlan.parse(output.read(SweepOutput.PLAN)));
    if (incompatible != null) {
      throw new ConfigurationException("--resume: " + options.output() + " was made from other inputs: " + incompatible
          + "; resume with the same inputs, or use --overwrite or another --output");
    }
    List<Cell> pending = new ArrayList<>();
    for (Cell cell : cells) {
      if (!output.exists(CellStore.metricsFile(cell.id()))) {
        pending.add(cell);
      }
    }
    return pending;
  }

  /** Makes the cells, {@code --cells-in-flight} Spark jobs at a time; returns the failed cells' ids and reasons. */
  private Map<String, String> makeCells(SparkSession spark, SweepOutput output, MetricsScoring scoring, ChunkScorer scorer,
      List<SampleRow> rows, List<Cell> pending) throws InterruptedException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    ExecutorService pool = Executors.newFixedThreadPool(options.cellsInFlight(), r -> {
      Thread thread = new Thread(r, "diffusionbatch-sweep-cell");
      thread.setDaemon(true);
      return thread;
    });
    Map<String, Future<?>> running = new LinkedHashMap<>();
    java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
    for (Cell cell : pending) {
      running.put(cell.id(), pool.submit(() -> {
        jsc.setJobDescription("sweep cell " + cell.id() + ": " + cell.label());
        long start = System.nanoTime();
        List<CellPart> groups = CellJob.run(jsc, Chunk.of(cell, rows, options.errorGroups(), options.chunkSize()),
            options.errorGroups(), scorer);
        double seconds = (System.nanoTime() - start) / 1e9;
        MetricsRow row = CellStore.save(spark, output, scoring, cell, groups, seconds, options.runId());
        LOG.info("sweep {}: cell {} of {} done in {} s: {}: FID {} ± {} (n {})", options.runId(), done.incrementAndGet(), pending.size(),
            String.format("%.1f", seconds), cell.label(), String.format("%.4f", row.fid()), String.format("%.4f", row.fidError()), row.n());
        return null;
      }));
    }
    Map<String, String> failures = new LinkedHashMap<>();
    try {
      for (Cell cell : pending) {
        try {
          running.get(cell.id()).get();
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          LOG.error("sweep cell {} ({}) failed", cell.id(), cell.label(), cause);
          failures.put(cell.id(), cell.label() + ": " + cause);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return failures;
  }

  private void printSummary(List<MetricsRow> table, String markdown, Map<String, String> failures, double seconds, SweepOutput output,
      String manifestAt) {
    System.out.printf("sweep run %s: %d cells in the table, %d failed, %.1f s making cells%n", options.runId(), table.size(),
        failures.size(), seconds);
    System.out.println();
    System.out.print(markdown);
    System.out.println();
    failures.forEach((id, why) -> System.out.printf("  FAILED %s %s%n", id, why));
    if (!failures.isEmpty()) {
      System.out.printf("  rerun with --resume to make only the %d missing cells%n", failures.size());
    }
    System.out.printf("  table:    %s (metrics/, metrics.csv)%n", output.root);
    System.out.printf("  report:   %s%n", output.at("report/index.html"));
    System.out.printf("  manifest: %s%n", manifestAt);
  }
}
