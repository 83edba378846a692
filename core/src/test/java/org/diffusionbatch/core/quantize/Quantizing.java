package org.diffusionbatch.core.quantize;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.pipeline.TextToImagePipeline;
import org.diffusionbatch.core.model.ModelOptions;

/** Shared steps of the quantization tests: settings, one image, pixel differences. */
final class Quantizing {
  private Quantizing() {}

  static final Path REPO = Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
  static final Path REAL_MODELS = REPO.resolve("../shared/reference/pipelines/models").normalize();

  static Path tiny(String name) {
    return REPO.resolve("models").resolve(name);
  }

  /** A real-architecture model from shared/, or null (the caller skips, saying why) when shared/ is absent. */
  static Path real(String name) {
    Path dir = REAL_MODELS.resolve(name);
    return Files.isDirectory(dir) ? dir : null;
  }

  static QuantizeSettings weightsInt8(Path model, Path output, List<String> parts) {
    return new QuantizeSettings(model.toString(), output, QuantizationMode.WEIGHTS_INT8, parts, null, null, null, null,
        QuantizeSettings.DEFAULT_PERCENTILE, false, 1, null, null);
  }

  static QuantizeSettings int8(Path model, Path output, List<String> parts, List<String> prompts, int steps) {
    return new QuantizeSettings(model.toString(), output, QuantizationMode.INT8, parts, prompts, "test prompts", steps,
        CalibrationMethod.MINMAX, QuantizeSettings.DEFAULT_PERCENTILE, false, 1, null, null);
  }

  /** One image's RGB bytes from the model at {@code dir}: the model's sampler, {@code steps}, seed 1, at {@code size}. */
  static byte[] image(Path dir, String prompt, int steps, int size) {
    try (TextToImagePipeline pipeline = TextToImagePipeline.load(ModelOptions.local(dir).withThreads(1, 1))) {
      GenerationSettings s = pipeline.withDefaults(new GenerationSettings(null, steps, Double.NaN, 0, size, size, null));
      GenerationResult r = pipeline.generate(s, List.of(new GenerationRequest(prompt, "", 1)), false).get(0);
      if (!r.ok()) {
        throw new AssertionError(dir + ": " + r.failedStage() + ": " + r.error());
      }
      return r.image().rgb();
    }
  }

  /** {mean, max} absolute difference of two RGB images, in levels of 255. */
  static double[] pixelDifference(byte[] a, byte[] b) {
    double sum = 0;
    int max = 0;
    for (int i = 0; i < a.length; i++) {
      int d = Math.abs((a[i] & 0xff) - (b[i] & 0xff));
      sum += d;
      max = Math.max(max, d);
    }
    return new double[] {sum / a.length, max};
  }
}
