package org.diffusionbatch.jobs.sweep;

import java.util.List;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.jobs.model.ImageMaker;
import org.diffusionbatch.jobs.model.ImageMakerFactory;

/** Fault injection: the real models, except that every batch of one cell's settings throws, so that cell's Spark job fails. */
record FailingCellLoaders(String sampler, int steps, double guidance) implements ModelLoaders {

  @Override
  public ImageMakerFactory forModel(String model, ModelRuntime runtime) {
    ImageMakerFactory real = ModelLoaders.REAL.forModel(model, runtime);
    FailingCellLoaders fault = this;
    return new ImageMakerFactory() {
      @Override
      public String key(Integer gpu) {
        return "failing " + fault + "|" + real.key(gpu);
      }

      @Override
      public ImageMaker load(Integer gpu) {
        return fault.wrap(real.load(gpu));
      }
    };
  }

  private ImageMaker wrap(ImageMaker maker) {
    return new ImageMaker() {
      @Override
      public String modelUri() {
        return maker.modelUri();
      }

      @Override
      public String modelDigest() {
        return maker.modelDigest();
      }

      @Override
      public GenerationSettings defaults() {
        return maker.defaults();
      }

      @Override
      public void validate(GenerationSettings settings) {
        maker.validate(settings);
      }

      @Override
      public int unetEvaluationsPerImage(GenerationSettings settings) {
        return maker.unetEvaluationsPerImage(settings);
      }

      @Override
      public List<GenerationResult> generate(GenerationSettings settings, List<GenerationRequest> requests) {
        if (settings.sampler().equals(sampler) && settings.steps() == steps && settings.guidanceScale() == guidance) {
          throw new IllegalStateException("test fault: the executor running this cell died");
        }
        return maker.generate(settings, requests);
      }

      @Override
      public void close() {
        maker.close();
      }
    };
  }
}
