package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.jobs.dataset.ImageRows;
import org.diffusionbatch.jobs.generate.executor.GenerateMetrics;
import org.diffusionbatch.jobs.generate.executor.PartitionGenerator;
import org.diffusionbatch.jobs.generate.output.ErrorStaging;
import org.diffusionbatch.jobs.model.ImageMaker;
import org.diffusionbatch.jobs.model.ImageMakerFactory;
import org.diffusionbatch.jobs.model.PipelineImageMakerFactory;
import org.diffusionbatch.jobs.prompts.WorkRows;
import org.diffusionbatch.jobs.spark.Device;
import org.diffusionbatch.jobs.spark.S3Endpoint;
import org.diffusionbatch.jobs.spark.SerializableHadoopConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's model calls do not wait for its Parquet writer: while the writer holds a batch's rows
 * (writing them, or flushing a row group), the model makes the next two batches, and no more.
 */
class ModelRunsAheadOfTheWriterTest {
  /** Model calls (one per batch) made by this test's model. */
  private static final AtomicInteger CALLS = new AtomicInteger();
  private static final int ID = ImageRows.SCHEMA.fieldIndex("prompt_id");

  @TempDir Path dir;

  @Test
  void whileTheWriterHoldsTheFirstBatchTheModelMakesTheNextTwoAndNoMore() throws Exception {
    SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
    try {
      CALLS.set(0);
      GenerateMetrics metrics = GenerateMetrics.register(spark.sparkContext());
      ErrorStaging staging = new ErrorStaging(dir.resolve("errors").toUri().toString(), "ahead",
          JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(new SerializableHadoopConf(spark.sparkContext().hadoopConfiguration())));
      RunSettings run = new RunSettings("ddim", 1, 7.5, 0.0, 128, 128, Map.of(), "", 3);
      PartitionGenerator generator = new PartitionGenerator(new CountingFactory(), Device.CPU, run, 1, "ahead", metrics, staging);
      List<Row> prompts = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        prompts.add(WorkRows.row("id-" + i, "a red circle " + i, null, null));
      }

      Iterator<Row> images = generator.call(prompts.iterator());
      assertTrue(images.hasNext());
      assertEquals("id-0", images.next().getString(ID));
      // The writer holds batch 1 (it asks for nothing more): batches 2 and 3 are made meanwhile.
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (CALLS.get() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(3, CALLS.get(), "batches made while the writer held the first");
      Thread.sleep(500);
      assertEquals(3, CALLS.get(), "no more than two batches ahead of the writer");

      List<String> rest = new ArrayList<>();
      images.forEachRemaining(r -> rest.add(r.getString(ID)));
      assertEquals(List.of("id-1", "id-2", "id-3", "id-4", "id-5"), rest);
      assertEquals(6, CALLS.get());
      assertEquals(6L, metrics.imagesMade().value());
    } finally {
      spark.stop();
    }
  }

  /** The bundled tiny model, counting its batches. */
  static final class CountingFactory implements ImageMakerFactory {
    private final PipelineImageMakerFactory real = new PipelineImageMakerFactory(Runs.TINY_SD, 1, 1, null, 0, null,
        new S3Endpoint(null, null, false));

    @Override
    public String key(Integer gpu) {
      return "counting|" + real.key(gpu);
    }

    @Override
    public ImageMaker load(Integer gpu) {
      return new DelegatingImageMaker(real.load(gpu)) {
        @Override
        public List<GenerationResult> generate(GenerationSettings settings, List<GenerationRequest> requests) {
          List<GenerationResult> made = model.generate(settings, requests);
          CALLS.incrementAndGet();
          return made;
        }
      };
    }
  }
}
