package org.diffusionbatch.jobs.generate.executor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskContext$;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.diffusionbatch.core.image.PngEncoder;
import org.diffusionbatch.core.pipeline.GeneratedImage;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.jobs.dataset.ImageRows;
import org.diffusionbatch.jobs.generate.RunSettings;
import org.diffusionbatch.jobs.generate.output.ErrorRecord;
import org.diffusionbatch.jobs.generate.output.ErrorStaging;
import org.diffusionbatch.jobs.model.ExecutorModels;
import org.diffusionbatch.jobs.model.ImageMaker;
import org.diffusionbatch.jobs.model.ImageMakerFactory;
import org.diffusionbatch.jobs.spark.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition of prompt rows to image rows, streaming: rows are planned one at a time, batched by
 * settings, made on this executor's shared model by the task's feeder thread ahead of the writer,
 * and each batch's PNGs encode in a small pool while the next batch denoises. Rows that cannot be made are staged for the errors dataset
 * ({@link ErrorStaging}) and the partition goes on.
 */
public final class PartitionGenerator implements MapPartitionsFunction<Row, Row> {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionGenerator.class);
  /** Core's encoder (fixed filter, fast deflate): the same bytes txt2img writes. */
  private static final PngEncoder PNG = new PngEncoder();

  private final ImageMakerFactory factory;
  private final Device device;
  private final RunSettings run;
  private final int batchSize;
  private final String runId;
  private final GenerateMetrics metrics;
  private final ErrorStaging staging;

  public PartitionGenerator(ImageMakerFactory factory, Device device, RunSettings run, int batchSize, String runId,
      GenerateMetrics metrics, ErrorStaging staging) {
    this.factory = factory;
    this.device = device;
    this.run = run;
    this.batchSize = batchSize;
    this.runId = runId;
    this.metrics = metrics;
    this.staging = staging;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    TaskContext task = TaskContext.get();
    Integer gpu = gpuOf(task);
    if (task != null) {
      // Which GPU each task ran on, for reading a run's scheduling from the executors' logs.
      LOG.info("task {} (partition {}, attempt {}) on executor {}: gpu address {}", task.taskAttemptId(), task.partitionId(),
          task.attemptNumber(), SparkEnv.get().executorId(), gpu == null ? "none" : gpu);
    }
    ImageMaker maker = ExecutorModels.get(factory, gpu);
    ErrorStaging.Writer failures = staging.writer(task);
    if (task != null) {
      task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) done -> failures.close());
    }
    Iterator<RowPlan> plans = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return input.hasNext();
      }

      @Override
      public RowPlan next() {
        return RowPlan.of(input.next(), run);
      }
    };
    Batcher batcher = new Batcher(plans, batchSize,
        rejected -> fail(failures, rejected.promptId(), rejected.inputJson(), "input", rejected.error()));
    return new ImageIterator(batcher, maker, task, failures);
  }

  private void fail(ErrorStaging.Writer failures, String promptId, String inputJson, String stage, String reason) {
    metrics.rowsFailed().add(1);
    failures.write(ErrorRecord.of(promptId, inputJson, stage, reason, runId));
  }

  private Integer gpuOf(TaskContext task) {
    return device.gpuOf(task);
  }

  /**
   * Yields image rows batch by batch. The model runs on the task's own feeder thread, two batches
   * ahead of the rows this thread hands to Spark's writer: while this thread writes batch k's rows
   * to Parquet, the feeder has batch k+1 on the device and batch k+2 queued behind it, and batch k's
   * PNGs encode in the executor's pool. The device then never waits on this task's Parquet writer,
   * only on the few milliseconds of pixel conversion between two of its batches
   * (docs/performance.md, "Where the device waited").
   */
  private final class ImageIterator implements Iterator<Row> {
    /** Batches submitted to the feeder and not yet handed to the writer. */
    private static final int AHEAD = 2;

    private final Batcher batcher;
    private final ImageMaker maker;
    private final TaskContext task;
    private final ErrorStaging.Writer failures;
    private final ExecutorService feeder;
    private boolean finished;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private Iterator<Row> ready = Collections.emptyIterator();
    private long made;
    private final long startNanos = System.nanoTime();

    ImageIterator(Batcher batcher, ImageMaker maker, TaskContext task, ErrorStaging.Writer failures) {
      this.batcher = batcher;
      this.maker = maker;
      this.task = task;
      this.failures = failures;
      this.feeder = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(() -> {
          if (task != null) {
            // As Spark's own helper threads do (e.g. the Python runner's writer): code inside the model
            // call may ask which task it works for.
            TaskContext$.MODULE$.setTaskContext(task);
          }
          runnable.run();
        }, "diffusionbatch-feed-" + (task == null ? "local" : task.partitionId() + "." + task.attemptNumber()));
        thread.setDaemon(true);
        return thread;
      });
      if (task != null) {
        task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) done -> stopFeeder());
      }
    }

    @Override
    public boolean hasNext() {
      while (!ready.hasNext()) {
        submitAhead();
        if (inFlight.isEmpty()) {
          finish();
          return false;
        }
        ready = await(inFlight.poll()).iterator();
        // Before this thread goes to write these rows: the feeder gets its next batch queued.
        submitAhead();
      }
      return true;
    }

    private void submitAhead() {
      while (inFlight.size() < AHEAD) {
        List<RowPlan> batch = batcher.next();
        if (batch == null) {
          return;
        }
        inFlight.add(submit(batch));
      }
    }

    /** The partition is done: report its staged failed rows (once, from the task thread). */
    private void finish() {
      if (finished) {
        return;
      }
      finished = true;
      stopFeeder();
      ErrorStaging.Staged staged = failures.finish();
      if (staged != null) {
        metrics.stagedErrors().add(staged);
      }
    }

    /**
     * Batches not yet started are dropped (a failed or killed task); one on the device finishes and
     * is discarded, as a model call cannot be interrupted.
     */
    private void stopFeeder() {
      inFlight.forEach(batch -> batch.images().cancel(false));
      feeder.shutdown();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.next();
    }

    /** A batch on its way: its images (made on the feeder) and then its rows (encoded in the PNG pool). */
    private record InFlight(CompletableFuture<List<GenerationResult>> images, CompletableFuture<Encoded> rows) {}

    /**
     * One batch's image rows, the errors of its rows that failed, and its UNet time (reported from
     * the task thread: accumulators are not thread-safe).
     */
    private record Encoded(List<Row> rows, List<ErrorRecord> failures, long unetNanos) {}

    private InFlight submit(List<RowPlan> batch) {
      GenerationSettings settings = batch.get(0).settings();
      List<GenerationRequest> requests = new ArrayList<>(batch.size());
      batch.forEach(row -> requests.add(row.request()));
      CompletableFuture<List<GenerationResult>> images = CompletableFuture.supplyAsync(
          () -> ExecutorModels.inModel(() -> maker.generate(settings, requests)), feeder);
      return new InFlight(images, images.thenApplyAsync(made -> encode(batch, settings, made), PngPool.POOL));
    }

    private Encoded encode(List<RowPlan> batch, GenerationSettings settings, List<GenerationResult> images) {
      List<Row> rows = new ArrayList<>(batch.size());
      List<ErrorRecord> failures = new ArrayList<>();
      // Timings are the batch's: any made image carries them.
      long unetNanos = images.stream().filter(GenerationResult::ok).findFirst().map(made -> made.image().timings().unetNanos()).orElse(0L);
      for (int i = 0; i < batch.size(); i++) {
        RowPlan row = batch.get(i);
        GenerationResult result = images.get(i);
        if (!result.ok()) {
          failures.add(ErrorRecord.of(row.promptId(), row.inputJson(), result.failedStage(), result.error(), runId));
          continue;
        }
        GeneratedImage image = result.image();
        long start = System.nanoTime();
        byte[] png;
        try {
          png = PNG.encode(image.rgb(), image.width(), image.height());
        } catch (RuntimeException e) {
          failures.add(ErrorRecord.of(row.promptId(), row.inputJson(), "png", e.toString(), runId));
          continue;
        }
        rows.add(ImageRows.row(row.promptId(), result.request(), settings, maker.modelUri(), maker.modelDigest(),
            image, png, System.nanoTime() - start, runId));
      }
      return new Encoded(rows, failures, unetNanos);
    }

    private List<Row> await(InFlight batch) {
      Encoded encoded;
      try {
        encoded = batch.rows().get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a batch of images", e);
      } catch (ExecutionException e) {
        // The model's or the encoder's own exception, as if this thread had made the batch.
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException runtime) {
          throw runtime;
        }
        if (cause instanceof Error error) {
          throw error;
        }
        throw new IllegalStateException("making a batch of images failed", cause);
      }
      metrics.unetSeconds().add(encoded.unetNanos() / 1e9);
      encoded.failures().forEach(f -> fail(failures, f.promptId(), f.inputJson(), f.stage(), f.reason()));
      List<Row> rows = encoded.rows();
      made += rows.size();
      metrics.imagesMade().add(rows.size());
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      LOG.info("partition {} attempt {}: {} images made ({} in this batch), {} images/s",
          task == null ? -1 : task.partitionId(), task == null ? -1 : task.attemptNumber(), made, rows.size(),
          String.format("%.2f", made / Math.max(seconds, 1e-9)));
      return rows;
    }
  }
}
