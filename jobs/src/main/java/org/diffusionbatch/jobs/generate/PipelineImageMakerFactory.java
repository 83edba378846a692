package org.diffusionbatch.jobs.generate;

/** Loads core's TextToImagePipeline for the run's model and device settings. */
final class PipelineImageMakerFactory implements ImageMakerFactory {
  private final GenerateOptions options;

  PipelineImageMakerFactory(GenerateOptions options) {
    this.options = options;
  }

  @Override
  public String key(Integer gpu) {
    return options.model() + "|" + (gpu == null ? "cpu" : "gpu" + gpu);
  }

  @Override
  public ImageMaker load(Integer gpu) {
    // TODO(pipeline branch): wrap TextToImagePipeline once it lands on branch 'pipeline'.
    throw new UnsupportedOperationException("core's TextToImagePipeline is not merged into this branch yet");
  }
}
