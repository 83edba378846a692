package org.diffusionbatch.jobs.model;

import java.nio.file.Path;
import org.apache.spark.SparkEnv;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.pipeline.TextToImagePipeline;
import org.diffusionbatch.core.storage.S3Settings;
import org.diffusionbatch.jobs.spark.S3Endpoint;
import org.diffusionbatch.jobs.spark.StorageUris;

/** Loads core's TextToImagePipeline for the run's model, device and runtime settings. */
public final class PipelineImageMakerFactory implements ImageMakerFactory {
  private final String model;
  private final int intraOpThreads;
  private final int interOpThreads;
  private final String optLevel;
  private final int gpuRunsPerGraph;
  private final String cacheDir;
  private final S3Endpoint s3;

  public PipelineImageMakerFactory(String model, int intraOpThreads, int interOpThreads, String optLevel, int gpuRunsPerGraph,
      String cacheDir, S3Endpoint s3) {
    this.model = model;
    this.intraOpThreads = intraOpThreads;
    this.interOpThreads = interOpThreads;
    this.optLevel = optLevel;
    this.gpuRunsPerGraph = gpuRunsPerGraph;
    this.cacheDir = cacheDir;
    this.s3 = s3;
  }

  @Override
  public String key(Integer gpu) {
    return String.join("|", model, gpu == null ? "cpu" : "gpu" + gpu, Integer.toString(effectiveIntraOpThreads()),
        Integer.toString(interOpThreads), String.valueOf(optLevel), Integer.toString(gpuRunsPerGraph));
  }

  @Override
  public ImageMaker load(Integer gpu) {
    ModelOptions options = new ModelOptions(StorageUris.forObjectStorage(model).toString(), gpu, effectiveIntraOpThreads(), interOpThreads,
        optLevel, cacheDir == null ? null : Path.of(cacheDir), new S3Settings(s3.endpoint(), s3.region(), s3.pathStyle()), gpuRunsPerGraph);
    return new PipelineImageMaker(TextToImagePipeline.load(options));
  }

  /**
   * --intra-op-threads, or when 0 the cores Spark gives each task ({@code spark.task.cpus}, default
   * 1): an executor runs that many tasks at once on one shared session, and ONNX Runtime's own
   * default (all cores per call) would have concurrent tasks' threads fight over the cores. On the
   * tiny model two tasks at 1 thread each made 2.6x the images of one call at the default.
   */
  int effectiveIntraOpThreads() {
    if (intraOpThreads > 0) {
      return intraOpThreads;
    }
    SparkEnv env = SparkEnv.get();
    return env == null ? 0 : env.conf().getInt("spark.task.cpus", 1);
  }
}
