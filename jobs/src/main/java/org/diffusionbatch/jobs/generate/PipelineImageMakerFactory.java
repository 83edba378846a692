package org.diffusionbatch.jobs.generate;

import java.nio.file.Path;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.pipeline.TextToImagePipeline;
import org.diffusionbatch.core.storage.S3Settings;

/** Loads core's TextToImagePipeline for the run's model, device and runtime settings. */
final class PipelineImageMakerFactory implements ImageMakerFactory {
  private final String model;
  private final int intraOpThreads;
  private final int interOpThreads;
  private final String optLevel;
  private final String cacheDir;
  private final GenerateOptions.S3Options s3;

  PipelineImageMakerFactory(GenerateOptions options) {
    this.model = options.model();
    this.intraOpThreads = options.intraOpThreads();
    this.interOpThreads = options.interOpThreads();
    this.optLevel = options.ortOptLevel();
    this.cacheDir = options.modelCache();
    this.s3 = options.s3();
  }

  @Override
  public String key(Integer gpu) {
    return String.join("|", model, gpu == null ? "cpu" : "gpu" + gpu, Integer.toString(intraOpThreads),
        Integer.toString(interOpThreads), String.valueOf(optLevel));
  }

  @Override
  public ImageMaker load(Integer gpu) {
    ModelOptions options = new ModelOptions(StorageUris.forObjectStorage(model).toString(), gpu, intraOpThreads, interOpThreads,
        optLevel, cacheDir == null ? null : Path.of(cacheDir), new S3Settings(s3.endpoint(), s3.region(), s3.pathStyle()));
    return new PipelineImageMaker(TextToImagePipeline.load(options));
  }
}
