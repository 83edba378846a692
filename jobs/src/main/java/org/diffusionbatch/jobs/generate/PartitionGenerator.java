package org.diffusionbatch.jobs.generate;

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
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.Row;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * One partition of prompt rows to image rows, streaming: rows are planned one at a time, batched by
 * settings, made on this executor's shared model, and each batch's PNGs encode in a small pool
 * while the next batch denoises. Rows that cannot be made go to the errors accumulator and the
 * partition goes on.
 */
final class PartitionGenerator implements MapPartitionsFunction<Row, Row> {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionGenerator.class);

  private final ImageMakerFactory factory;
  private final Device device;
  private final RunSettings run;
  private final int batchSize;
  private final String runId;
  private final GenerateMetrics metrics;
  private final TestHooks hooks;

  PartitionGenerator(ImageMakerFactory factory, Device device, RunSettings run, int batchSize, String runId,
      GenerateMetrics metrics, TestHooks hooks) {
    this.factory = factory;
    this.device = device;
    this.run = run;
    this.batchSize = batchSize;
    this.runId = runId;
    this.metrics = metrics;
    this.hooks = hooks;
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
    ImageMaker maker = ExecutorModels.get(factory, gpu, hooks::modelLoaded);
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
    Batcher batcher = new Batcher(plans, batchSize, settings -> rejection(maker, settings),
        rejected -> fail(rejected.promptId(), rejected.inputJson(), rejected.request() == null ? "input" : "settings", rejected.error()));
    return new ImageIterator(batcher, maker, task);
  }

  private static String rejection(ImageMaker maker, GenerationSettings settings) {
    try {
      maker.validate(settings);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private void fail(String promptId, String inputJson, String stage, String reason) {
    metrics.rowsFailed().add(1);
    metrics.errors().add(ErrorRecord.of(promptId, inputJson, stage, reason, runId));
  }

  /** The GPU Spark assigned to this task, per --device. */
  private Integer gpuOf(TaskContext task) {
    if (device == Device.CPU) {
      return null;
    }
    Option<ResourceInformation> gpu = task == null ? Option.empty() : task.resources().get("gpu");
    if (gpu.isDefined() && gpu.get().addresses().length > 0) {
      return Integer.parseInt(gpu.get().addresses()[0]);
    }
    if (device == Device.GPU) {
      throw new IllegalStateException("--device gpu, but Spark assigned this task no GPU; set spark.task.resource.gpu.amount=1 "
          + "and spark.executor.resource.gpu.amount (with a discovery script), or use --device auto|cpu");
    }
    return null;
  }

  /** Yields image rows batch by batch, keeping one batch's PNG encoding in flight while the next generates. */
  private final class ImageIterator implements Iterator<Row> {
    private final Batcher batcher;
    private final ImageMaker maker;
    private final TaskContext task;
    private final Deque<Future<Encoded>> encoding = new ArrayDeque<>();
    private Iterator<Row> ready = Collections.emptyIterator();
    private long made;
    private int batches;
    private final long startNanos = System.nanoTime();

    ImageIterator(Batcher batcher, ImageMaker maker, TaskContext task) {
      this.batcher = batcher;
      this.maker = maker;
      this.task = task;
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
          return false;
        }
        ready = await(encoding.poll()).iterator();
      }
      return true;
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
      List<ImageMaker.MadeImage> images = maker.generate(settings, requests);
      metrics.unetSeconds().add(images.get(0).unetNanos() / 1e9);
      Future<Encoded> rows = PngPool.POOL.submit(() -> encode(batch, settings, images));
      hooks.afterBatch(task, ++batches);
      return rows;
    }

    private Encoded encode(List<RowPlan> batch, GenerationSettings settings, List<ImageMaker.MadeImage> images) {
      List<Row> rows = new ArrayList<>(batch.size());
      List<ErrorRecord> failures = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        RowPlan row = batch.get(i);
        ImageMaker.MadeImage image = images.get(i);
        if (!image.ok()) {
          failures.add(ErrorRecord.of(row.promptId(), row.inputJson(), image.failedStage(), image.error(), runId));
          continue;
        }
        long start = System.nanoTime();
        byte[] png;
        try {
          png = Png.encode(image.rgb(), image.width(), image.height());
        } catch (RuntimeException e) {
          failures.add(ErrorRecord.of(row.promptId(), row.inputJson(), "png", e.toString(), runId));
          continue;
        }
        rows.add(ImageRows.row(row.promptId(), row.request(), settings, maker.modelUri(), maker.modelDigest(),
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
      encoded.failures().forEach(f -> fail(f.promptId(), f.inputJson(), f.stage(), f.reason()));
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
