package org.diffusionbatch.jobs.sweep;

import java.io.Serializable;
import org.diffusionbatch.jobs.model.ImageMakerFactory;
import org.diffusionbatch.jobs.model.PipelineImageMakerFactory;

/** Where a sweep's diffusion models come from: one loader per model of the grid; tests decorate the real one. */
public interface ModelLoaders extends Serializable {

  ImageMakerFactory forModel(String model, ModelRuntime runtime);

  /** Core's TextToImagePipeline, as generate loads it. */
  ModelLoaders REAL = (model, runtime) -> new PipelineImageMakerFactory(model, runtime.intraOpThreads(), runtime.interOpThreads(),
      runtime.ortOptLevel(), runtime.gpuRunsPerGraph(), runtime.modelCache(), runtime.s3());
}
