package org.diffusionbatch.jobs.evaluate;

import java.io.Serializable;
import java.nio.file.Path;
import org.apache.spark.SparkEnv;
import org.diffusionbatch.core.metrics.ClipEncoders;
import org.diffusionbatch.core.metrics.ImageFeatureExtractor;
import org.diffusionbatch.core.metrics.Preprocessing;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.storage.S3Settings;
import org.diffusionbatch.jobs.spark.StorageUris;

/**
 * Which metric models a run uses and how to run them: what travels to the executors, each of
 * which loads the models once (see {@link ExecutorMetricModels}).
 *
 * @param features the image feature model URI, or null (CLIP score only)
 * @param preprocessing overrides the feature model's own resizing mode; null keeps it
 * @param clip the CLIP export URI, or null
 * @param intraOpThreads ONNX Runtime intra-op threads; 0 = spark.task.cpus (1 unless set), as generate
 * @param s3Endpoint, s3Region, s3PathStyle where S3 is, for s3:// models
 */
public record MetricModels(String features, Preprocessing preprocessing, String clip, int intraOpThreads,
    String modelCache, String s3Endpoint, String s3Region, boolean s3PathStyle) implements Serializable {

  public ImageFeatureExtractor loadFeatures(Integer gpu) {
    return ImageFeatureExtractor.load(options(features, gpu), preprocessing);
  }

  public ClipEncoders loadClip(Integer gpu) {
    return ClipEncoders.load(options(clip, gpu));
  }

  /** The cache key of one model on one device. */
  public String key(String uri, Integer gpu) {
    return String.join("|", uri, String.valueOf(preprocessing), gpu == null ? "cpu" : "gpu" + gpu,
        Integer.toString(threads()));
  }

  private ModelOptions options(String uri, Integer gpu) {
    return new ModelOptions(StorageUris.forObjectStorage(uri).toString(), gpu, threads(), threads() > 0 ? 1 : 0, null,
        modelCache == null ? null : Path.of(modelCache), new S3Settings(s3Endpoint, s3Region, s3PathStyle), 0);
  }

  /**
   * The option, else the cores Spark gives each task: an executor runs that many tasks at once on
   * one shared session, and ONNX Runtime's default (every core per call) would have them fight.
   */
  private int threads() {
    if (intraOpThreads > 0) {
      return intraOpThreads;
    }
    SparkEnv env = SparkEnv.get();
    return env == null ? 0 : env.conf().getInt("spark.task.cpus", 1);
  }
}
