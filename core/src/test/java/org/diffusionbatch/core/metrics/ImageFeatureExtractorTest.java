package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffusionbatch.core.model.ModelException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image feature extractor on the bundled tiny feature model and on models it must refuse. */
class ImageFeatureExtractorTest {
  private static ImageFeatureExtractor tiny;
  private static List<RgbImage> answers;

  @BeforeAll
  static void load() {
    tiny = ImageFeatureExtractor.load(TinyMetricModels.options(TinyMetricModels.model("tiny-features")), null);
    answers = TinyMetricModels.answers();
  }

  @AfterAll
  static void close() {
    tiny.close();
  }

  @Test
  void readsInputSizeValueRangeAndDimensionFromGraphAndSidecar() {
    assertEquals(64, tiny.dimension());
    assertEquals(Preprocessing.CLEAN, tiny.preprocessing());
    assertEquals("images float32 [?, 3, 64, 64] -> features (64-d), clean resizing, values 0..1", tiny.describe());
  }

  @Test
  void featuresOfTheAnswerPicturesEqualTheNumpyReference() {
    // numpy's version of the graph on PIL's clean resize of the same pictures (make_tiny_metric_models.py --test-fixtures)
    float[] expected = Npy.read(TinyMetricModels.fixture("tiny_features_answers.npy")).toFloats();
    float[] got = tiny.features(answers);
    assertEquals(expected.length, got.length);
    for (int i = 0; i < got.length; i++) {
      assertEquals(expected[i], got[i], 2e-5, "feature " + i % 64 + " of " + TinyMetricModels.NAMES.get(i / 64));
    }
  }

  @Test
  void aRedCircleAndABlueSquareAreFarApartAndTheCirclesCornerIsBackground() {
    float[] f = tiny.features(List.of(answers.get(0), answers.get(7)));
    // top-left cell of the 4x4 colour grid: the light grey background (232/255) beside the circle; the
    // square reaches into it
    assertEquals(232 / 255.0, f[0], 0.005);
    assertTrue(f[64] < 232 / 255.0 - 0.02, "square's corner cell " + f[64]);
    // centre-left cell (row 1, column 1): red (220, 40, 40) inside the circle, blue (40, 80, 220) inside the square
    assertEquals(220 / 255.0, f[5], 0.03);
    assertEquals(40 / 255.0, f[64 + 5], 0.03);
    double distance = distance(f, 0, f, 64);
    assertTrue(distance > 1.0, "red circle vs blue square " + distance);
  }

  @Test
  void sameColourDifferentShapeIsCloserThanDifferentColourButStillApart() {
    float[] f = tiny.features(answers);
    double circleVsSquare = distance(f, 0, f, 64); // red circle, red square
    double redVsBlueCircle = distance(f, 0, f, 6 * 64); // red circle, blue circle
    assertTrue(circleVsSquare > 0.1, "red circle vs red square " + circleVsSquare);
    assertTrue(redVsBlueCircle > circleVsSquare, redVsBlueCircle + " vs " + circleVsSquare);
  }

  @Test
  void aBatchGivesEachImageTheFeaturesItGetsAlone() {
    float[] batch = tiny.features(answers.subList(0, 3));
    float[] alone = tiny.features(List.of(answers.get(2)));
    for (int i = 0; i < 64; i++) {
      assertEquals(alone[i], batch[2 * 64 + i], 0f);
    }
  }

  @Test
  void preprocessingNoneRefusesAnImageOfAnotherSizeThanTheFixedInput() {
    try (ImageFeatureExtractor none = ImageFeatureExtractor.load(
        TinyMetricModels.options(TinyMetricModels.model("tiny-features")), Preprocessing.NONE)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> none.features(List.of(answers.get(0))));
      assertTrue(e.getMessage().contains("128x128") && e.getMessage().contains("none"), e.getMessage());
    }
  }

  @Test
  void aModelTakingUint8ImagesIsRefusedNamingItsInput() {
    ModelException e = assertThrows(ModelException.class, () -> ImageFeatureExtractor.load(
        TinyMetricModels.options(TinyMetricModels.fixture("uint8-input")), null));
    assertTrue(e.getMessage().contains("input images uint8 [?, 3, 64, 64] cannot be fed"), e.getMessage());
  }

  @Test
  void aModelWithASecondInputIsRefusedNamingBoth() {
    ModelException e = assertThrows(ModelException.class, () -> ImageFeatureExtractor.load(
        TinyMetricModels.options(TinyMetricModels.fixture("two-inputs")), null));
    assertTrue(e.getMessage().contains("images float32") && e.getMessage().contains("scale float32"), e.getMessage());
  }

  @Test
  void aSidecarWithAnUnknownKeyIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
    Files.copy(TinyMetricModels.model("tiny-features").resolve("model.onnx"), dir.resolve("model.onnx"));
    Files.writeString(dir.resolve("feature_extractor.json"), "{\"size\": [64, 64], \"value_rnage\": [0, 1]}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageFeatureExtractor.load(TinyMetricModels.options(dir), null));
    assertTrue(e.getMessage().contains("feature_extractor.json") && e.getMessage().contains("value_rnage"), e.getMessage());
  }

  @Test
  void aBareOnnxFileLoadsWithTheDefaults(@TempDir Path dir) throws Exception {
    Path file = Files.copy(TinyMetricModels.model("tiny-features").resolve("model.onnx"), dir.resolve("features.onnx"));
    try (ImageFeatureExtractor bare = ImageFeatureExtractor.load(TinyMetricModels.options(file), null)) {
      // no sidecar: values 0..255, so every feature is 255 times the bundled model's (the graph is linear up to |.|)
      float[] scaled = bare.features(List.of(answers.get(3)));
      float[] unit = tiny.features(List.of(answers.get(3)));
      for (int i = 0; i < 64; i++) {
        assertEquals(unit[i] * 255, scaled[i], 1e-3 * Math.max(1, Math.abs(scaled[i])));
      }
    }
  }

  @Test
  void aMissingModelSaysWhatToGive(@TempDir Path dir) {
    ModelException e = assertThrows(ModelException.class,
        () -> ImageFeatureExtractor.load(TinyMetricModels.options(dir), null));
    assertTrue(e.getMessage().contains("has no model.onnx"), e.getMessage());
  }

  static double distance(float[] a, int aOffset, float[] b, int bOffset) {
    double sum = 0;
    for (int i = 0; i < 64; i++) {
      double d = a[aOffset + i] - b[bOffset + i];
      sum += d * d;
    }
    return Math.sqrt(sum);
  }
}
