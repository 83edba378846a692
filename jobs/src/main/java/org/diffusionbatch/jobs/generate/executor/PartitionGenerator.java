package org.diffusionbatch.jobs.generate.executor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
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
 * settings, made on this executor's shared model, and each batch's PNGs encode in a small pool
 * while the next batch denoises. Rows that cannot be made are staged for the errors dataset
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

  /** Yields image rows batch by batch, keeping one batch's PNG encoding in flight while the next generates. */
  private final class ImageIterator implements Iterator<Row> {
    private final Batcher batcher;
    private final ImageMaker maker;
    private final TaskContext task;
    private final ErrorStaging.Writer failures;
    private boolean finished;
    private final Deque<Future<Encoded>> encoding = new ArrayDeque<>();
    private Iterator<Row> ready = Collections.emptyIterator();
    private long made;
    private final long startNanos = System.nanoTime();

    ImageIterator(Batcher batcher, ImageMaker maker, TaskContext task, ErrorStaging.Writer failures) {
      this.batcher = batcher;
      this.maker = maker;
      this.task = task;
      this.failures = failures;
    }

    @Override
    public boolean hasNext() {
      while (!ready.hasNext()) {
        List<RowPlan> batch = batcher.next();
        if (batch != null) {
          encoding.add(generate(batch));
          if (encoding.size() < 2) {
            continue;
          }
        }
        if (encoding.isEmpty()) {
          finish();
          return false;
        }
        ready = await(encoding.poll()).iterator();
      }
      return true;
    }

    /** The partition is done: report its staged failed rows (once, from the task thread). */
    private void finish() {
      if (finished) {
        return;
      }
      finished = true;
      ErrorStaging.Staged staged = failures.finish();
      if (staged != null) {
        metrics.stagedErrors().add(staged);
      }
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.next();
    }

    /** One batch's image rows and the errors of its rows that failed (reported from the task thread: accumulators are not thread-safe). */
    private record Encoded(List<Row> rows, List<ErrorRecord> failures) {}

    private Future<Encoded> generate(List<RowPlan> batch) {
      GenerationSettings settings = batch.get(0).settings();
      List<GenerationRequest> requests = new ArrayList<>(batch.size());
      batch.forEach(row -> requests.add(row.request()));
      List<GenerationResult> images = ExecutorModels.inModel(() -> maker.generate(settings, requests));
      // Timings are the batch's: any made image carries them.
      images.stream().filter(GenerationResult::ok).findFirst()
          .ifPresent(made -> metrics.unetSeconds().add(made.image().timings().unetNanos() / 1e9));
      Future<Encoded> rows = PngPool.POOL.submit(() -> encode(batch, settings, images));
      return rows;
    }

    private Encoded encode(List<RowPlan> batch, GenerationSettings settings, List<GenerationResult> images) {
      List<Row> rows = new ArrayList<>(batch.size());
      List<ErrorRecord> failures = new ArrayList<>();
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
      return new Encoded(rows, failures);
    }

    private List<Row> await(Future<Encoded> batch) {
      Encoded encoded;
      try {
        encoded = batch.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while encoding PNGs", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("encoding a batch's PNGs failed", e.getCause());
      }
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
