package org.diffusionbatch.jobs.generate;

import java.util.List;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.jobs.model.ImageMaker;

/** A real model with one call changed by a test (slowed, broken): everything else goes to the model. */
abstract class DelegatingImageMaker implements ImageMaker {
  protected final ImageMaker model;

  DelegatingImageMaker(ImageMaker model) {
    this.model = model;
  }

  @Override
  public String modelUri() {
    return model.modelUri();
  }

  @Override
  public String modelDigest() {
    return model.modelDigest();
  }

  @Override
  public GenerationSettings defaults() {
    return model.defaults();
  }

  @Override
  public void validate(GenerationSettings settings) {
    model.validate(settings);
  }

  @Override
  public int unetEvaluationsPerImage(GenerationSettings settings) {
    return model.unetEvaluationsPerImage(settings);
  }

  @Override
  public List<GenerationResult> generate(GenerationSettings settings, List<GenerationRequest> requests) {
    return model.generate(settings, requests);
  }

  @Override
  public void close() {
    model.close();
  }
}
