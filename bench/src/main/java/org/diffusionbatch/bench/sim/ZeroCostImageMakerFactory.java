package org.diffusionbatch.bench.sim;

import java.util.ArrayList;
import java.util.List;
import org.diffusionbatch.core.pipeline.GeneratedImage;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.pipeline.StageTimings;
import org.diffusionbatch.jobs.generate.GenerateOptions;
import org.diffusionbatch.jobs.model.ImageMaker;
import org.diffusionbatch.jobs.model.ImageMakerFactory;

/**
 * A model that costs nothing: every row's image is a tiny picture (the requested size, 8x8 by
 * default) filled from its seed, made at once, so a run measures only the job's own work around
 * the model: planning, batching, PNG, rows, Parquet, commits. For the planning benchmarks at millions of
 * rows. Chosen with {@code --conf diffusionbatch.imageMakerFactory=org.diffusionbatch.bench.sim.ZeroCostImageMakerFactory}.
 */
public final class ZeroCostImageMakerFactory implements ImageMakerFactory {
  private static final int SIZE = 8;
  private final String model;

  public ZeroCostImageMakerFactory(GenerateOptions options) {
    this.model = options.model();
  }

  @Override
  public String key(Integer gpu) {
    return "zero-cost|" + model;
  }

  @Override
  public ImageMaker load(Integer gpu) {
    return new ZeroCost("zero-cost:" + model);
  }

  private record ZeroCost(String modelUri) implements ImageMaker {
    @Override
    public String modelDigest() {
      return "0".repeat(64);
    }

    @Override
    public GenerationSettings defaults() {
      return new GenerationSettings("euler", 1, 0.0, 0.0, SIZE, SIZE, null);
    }

    @Override
    public int unetEvaluationsPerImage(GenerationSettings settings) {
      return 0; // no model: nothing is evaluated
    }

    @Override
    public void validate(GenerationSettings settings) {
      if (settings.width() > 64 || settings.height() > 64) {
        throw new IllegalArgumentException("the zero-cost model makes pictures of at most 64x64 pixels, not "
            + settings.width() + "x" + settings.height());
      }
    }

    @Override
    public List<GenerationResult> generate(GenerationSettings settings, List<GenerationRequest> requests) {
      List<GenerationResult> made = new ArrayList<>(requests.size());
      for (GenerationRequest request : requests) {
        try {
          validate(settings);
        } catch (IllegalArgumentException e) {
          made.add(GenerationResult.failure(request, "settings", e.getMessage()));
          continue;
        }
        byte[] rgb = new byte[3 * settings.width() * settings.height()];
        long seed = request.seed();
        for (int i = 0; i < rgb.length; i++) {
          rgb[i] = (byte) (seed >>> ((i % 8) * 8));
        }
        made.add(GenerationResult.success(request,
            new GeneratedImage(settings.width(), settings.height(), rgb, null, new StageTimings(0, 0, 0, 0, 0))));
      }
      return made;
    }

    @Override
    public void close() {}
  }
}
