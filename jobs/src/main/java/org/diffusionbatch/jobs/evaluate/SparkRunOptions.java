package org.diffusionbatch.jobs.evaluate;

import java.util.LinkedHashMap;
import java.util.Map;
import org.diffusionbatch.jobs.cli.S3Options;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How the metric commands run their models on Spark: options {@code fid} and {@code evaluate} share. */
final class SparkRunOptions {
  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32", description = "Images per model call (default 32).")
  int batchSize;

  @Option(names = "--partitions", paramLabel = "N", description = "Repartition the images into N partitions (default: as read).")
  Integer partitions;

  @Option(names = "--device", paramLabel = "auto|cpu|gpu", defaultValue = "auto", description = "auto: the GPU Spark assigned to the task, else CPU.")
  String device;

  @Option(names = "--intra-op-threads", paramLabel = "N", defaultValue = "0", description = "ONNX Runtime intra-op threads per task (default 0: spark.task.cpus).")
  int intraOpThreads;

  @Option(names = "--model-cache", paramLabel = "DIR", description = "Where s3:// models are cached.")
  String modelCache;

  @Mixin S3Options s3 = new S3Options();

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default local[*]); not allowed under spark-submit.")
  String master;

  @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Extra Spark conf (repeatable).")
  Map<String, String> conf = new LinkedHashMap<>();

  /** Checks the numbers' form. */
  void check() {
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
    }
    if (partitions != null && partitions < 1) {
      throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
    }
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("--intra-op-threads must be 0 (default) or more");
    }
  }

  /** The metric models these options run, on S3 as --s3-* say. */
  MetricModels models(String features, org.diffusionbatch.core.metrics.Preprocessing preprocessing, String clip) {
    return new MetricModels(features, preprocessing, clip, intraOpThreads, modelCache, s3.endpoint(), s3.region(),
        s3.pathStyle());
  }
}
