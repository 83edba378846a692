package org.diffusionbatch.jobs.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.jobs.generate.ImageMaker;
import org.diffusionbatch.jobs.generate.ImageMakerFactory;

/**
 * A stand-in model for tests of the job's plumbing alone (argument checks, input formats, batching):
 * the image is a function of seed and prompt, so determinism checks still mean something. Tests
 * of what the job makes use the real pipeline.
 */
public final class FakeImageMaker implements ImageMaker {
  public static final Set<String> SAMPLERS = Set.of("dpmpp-2m", "euler");

  @Override
  public String modelUri() {
    return "fake://model";
  }

  @Override
  public String modelDigest() {
    return "fake-digest";
  }

  @Override
  public GenerationSettings defaults() {
    return new GenerationSettings("dpmpp-2m", 20, 7.5, 0.0, 16, 16, Map.of());
  }

  @Override
  public void validate(GenerationSettings settings) {
    if (!SAMPLERS.contains(settings.sampler())) {
      throw new IllegalArgumentException("unknown sampler '" + settings.sampler() + "'; known: " + SAMPLERS);
    }
  }

  @Override
  public List<MadeImage> generate(GenerationSettings settings, List<GenerationRequest> requests) {
    List<MadeImage> out = new ArrayList<>();
    for (GenerationRequest request : requests) {
      byte[] rgb = new byte[settings.width() * settings.height() * 3];
      long state = request.seed() ^ request.prompt().hashCode();
      for (int i = 0; i < rgb.length; i++) {
        state = state * 6364136223846793005L + 1442695040888963407L;
        rgb[i] = (byte) (state >>> 56);
      }
      out.add(new MadeImage(settings.width(), settings.height(), rgb, null, null, 1, 2, 3, 4));
    }
    return out;
  }

  @Override
  public void close() {}

  /** Loads {@link FakeImageMaker}. */
  public static final class Factory implements ImageMakerFactory {
    @Override
    public String key(Integer gpu) {
      return "fake";
    }

    @Override
    public ImageMaker load(Integer gpu) {
      return new FakeImageMaker();
    }
  }
}
