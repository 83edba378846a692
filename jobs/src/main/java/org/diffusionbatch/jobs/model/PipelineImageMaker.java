package org.diffusionbatch.jobs.model;

import java.util.ArrayList;
import java.util.List;
import org.diffusionbatch.core.pipeline.GeneratedImage;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.pipeline.StageTimings;
import org.diffusionbatch.core.pipeline.TextToImagePipeline;

/** The real {@link ImageMaker}: core's TextToImagePipeline (thread-safe, so an executor's tasks share it). */
final class PipelineImageMaker implements ImageMaker {
  private final TextToImagePipeline pipeline;

  PipelineImageMaker(TextToImagePipeline pipeline) {
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
  public List<MadeImage> generate(GenerationSettings settings, List<GenerationRequest> requests) {
    // PNGs are encoded by the job's pool, overlapping the next batch, not inside this call.
    List<GenerationResult> results = pipeline.generate(settings, requests, false);
    List<MadeImage> made = new ArrayList<>(results.size());
    for (GenerationResult result : results) {
      if (!result.ok()) {
        made.add(MadeImage.failed(result.failedStage(), result.error()));
        continue;
      }
      GeneratedImage image = result.image();
      StageTimings t = image.timings();
      made.add(new MadeImage(image.width(), image.height(), image.rgb(), null, null,
          t.textNanos(), t.unetNanos(), t.samplerNanos(), t.decodeNanos()));
    }
    return made;
  }

  @Override
  public void close() {
    pipeline.close();
  }
}
