package org.diffusionbatch.core.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.diffusionbatch.core.model.ModelOptions;

/** The bundled metric models (models/tiny-features, tiny-clip), the tiny model's answer pictures and the test fixtures. */
final class TinyMetricModels {
  private TinyMetricModels() {}

  static final List<String> NAMES = List.of("red circle", "red square", "red triangle", "green circle", "green square",
      "green triangle", "blue circle", "blue square", "blue triangle", "yellow circle", "yellow square", "yellow triangle");

  static Path root() {
    return Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
  }

  static Path model(String name) {
    return root().resolve("models").resolve(name);
  }

  /** core/src/test/resources/metric-models/..., made by make_tiny_metric_models.py --test-fixtures. */
  static Path fixture(String name) {
    return root().resolve("core/src/test/resources/metric-models").resolve(name);
  }

  /** One intra-op thread: the test machine is shared, and tiny graphs gain nothing from more. */
  static ModelOptions options(Path model) {
    return ModelOptions.local(model).withThreads(1, 1);
  }

  /** The 12 pictures of models/tiny-sd/answers, in component order. */
  static List<RgbImage> answers() {
    try (Stream<Path> files = Files.list(model("tiny-sd").resolve("answers"))) {
      List<RgbImage> out = new ArrayList<>();
      for (Path p : files.sorted().toList()) {
        out.add(ImageDecoder.decode(Files.readAllBytes(p)));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
