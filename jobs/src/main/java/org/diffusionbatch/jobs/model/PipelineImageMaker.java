package org.diffusionbatch.jobs.model;

import java.util.List;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.pipeline.TextToImagePipeline;

/** The real {@link ImageMaker}: core's TextToImagePipeline (thread-safe, so an executor's tasks share it), whatever its model's parts are. */
public final class PipelineImageMaker implements ImageMaker {
  private final TextToImagePipeline pipeline;

  public PipelineImageMaker(TextToImagePipeline pipeline) {
    this.pipeline = pipeline;
  }

  @Override
  public String modelUri() {
    return pipeline.modelInfo().uri();
  }

  @Override
  public String modelDigest() {
    return pipeline.modelInfo().digest();
  }

  @Override
  public GenerationSettings defaults() {
    return pipeline.defaults();
  }

  @Override
  public void validate(GenerationSettings settings) {
    pipeline.validate(settings);
  }

  @Override
  public int unetEvaluationsPerImage(GenerationSettings settings) {
    return pipeline.unetEvaluationsPerImage(settings);
  }

  @Override
  public List<GenerationResult> generate(GenerationSettings settings, List<GenerationRequest> requests) {
    return pipeline.generate(settings, requests, false);
  }

  @Override
  public void close() {
    pipeline.close();
  }
}
