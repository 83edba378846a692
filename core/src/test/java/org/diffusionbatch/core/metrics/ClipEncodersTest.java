package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.diffusionbatch.core.model.ModelException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLIP encoders on the bundled tiny CLIP pair, laid out as Optimum exports a CLIP model. */
class ClipEncodersTest {
  private static ClipEncoders clip;
  private static List<RgbImage> answers;

  @BeforeAll
  static void load() {
    clip = ClipEncoders.load(TinyMetricModels.options(TinyMetricModels.model("tiny-clip")));
    answers = TinyMetricModels.answers();
  }

  @AfterAll
  static void close() {
    clip.close();
  }

  private static List<String> prompts(String... words) {
    return List.of(words);
  }

  @Test
  void aPromptScoresHighestWithItsOwnPicture() {
    for (int k = 0; k < 12; k++) {
      String prompt = "a " + TinyMetricModels.NAMES.get(k);
      ClipEncoders.Embeddings e = clip.embed(answers, Collections.nCopies(12, prompt));
      int best = -1;
      double bestScore = -1;
      for (int i = 0; i < 12; i++) {
        double score = ClipScore.pairScore(e.image(), i * e.dimension(), e.text(), i * e.dimension(), e.dimension());
        if (score > bestScore) {
          bestScore = score;
          best = i;
        }
      }
      assertEquals(k, best, prompt + " scored highest with " + TinyMetricModels.NAMES.get(best));
    }
  }

  @Test
  void scoresFollowTheConceptSpaceMatchBothOneOrNone() {
    // "a red circle" with: the red circle, the red square (colour only), the blue circle (shape only), the blue square
    ClipEncoders.Embeddings e = clip.embed(List.of(answers.get(0), answers.get(1), answers.get(6), answers.get(7)),
        Collections.nCopies(4, "a red circle"));
    ClipScore all = new ClipScore();
    double[] scores = new double[4];
    for (int i = 0; i < 4; i++) {
      scores[i] = ClipScore.pairScore(e.image(), i * 8, e.text(), i * 8, 8);
    }
    // text (1,0,0,0,1,0,0,.5); image one-hot colour and shape plus .5: cos = 2.25/2.25, 1.25/2.25, 1.25/2.25, .25/2.25
    assertEquals(100.0, scores[0], 1.0);
    assertEquals(55.6, scores[1], 1.5);
    assertEquals(55.6, scores[2], 1.5);
    assertEquals(11.1, scores[3], 1.5);
    all.addBatch(e.image(), e.text(), 4, 8);
    assertEquals((scores[0] + scores[1] + scores[2] + scores[3]) / 4, all.score(), 1e-9);
  }

  @Test
  void embeddingsEqualTheNumpyReferenceThroughTransformersPreprocessing() {
    // numpy's version of the graph after PIL's 8-bit bicubic resize to 32x32 (make_tiny_metric_models.py --test-fixtures)
    float[] text = Npy.read(TinyMetricModels.fixture("tiny_clip_text_embeds.npy")).toFloats();
    float[] image = Npy.read(TinyMetricModels.fixture("tiny_clip_image_embeds.npy")).toFloats();
    List<String> prompts = new ArrayList<>();
    TinyMetricModels.NAMES.forEach(n -> prompts.add("a " + n));
    ClipEncoders.Embeddings e = clip.embed(answers, prompts);
    assertEquals(8, e.dimension());
    for (int i = 0; i < text.length; i++) {
      assertEquals(text[i], e.text()[i], 1e-6, "text value " + i);
      // 8-bit rounding between PIL's two passes may move a pixel by one level: 1e-3 on the embeddings
      assertEquals(image[i], e.image()[i], 1e-3, "image value " + i);
    }
  }

  @Test
  void aPromptWithNoConceptWordFitsEveryPictureAlike() {
    ClipEncoders.Embeddings e = clip.embed(answers.subList(0, 3), prompts("a picture", "a picture", "a picture"));
    double first = ClipScore.pairScore(e.image(), 0, e.text(), 0, 8);
    assertEquals(100 * 0.5 / 1.5, first, 1.5); // (0..0, .5) against (colour, shape, .5): .25 / (.5 * 1.5)
    for (int i = 1; i < 3; i++) {
      assertEquals(first, ClipScore.pairScore(e.image(), i * 8, e.text(), i * 8, 8), 1.5);
    }
  }

  @Test
  void anExportWithoutPreprocessorConfigIsRefusedSayingHowToExport(@TempDir Path dir) throws Exception {
    for (String f : List.of("model.onnx", "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json")) {
      Files.copy(TinyMetricModels.model("tiny-clip").resolve(f), dir.resolve(f));
    }
    ModelException e = assertThrows(ModelException.class, () -> ClipEncoders.load(TinyMetricModels.options(dir)));
    assertTrue(e.getMessage().contains("preprocessor_config.json") && e.getMessage().contains("optimum-cli"), e.getMessage());
  }

  @Test
  void aFeatureModelGivenAsClipIsRefusedNamingTheMissingInput() {
    ModelException e = assertThrows(ModelException.class,
        () -> ClipEncoders.load(TinyMetricModels.options(TinyMetricModels.model("tiny-features"))));
    assertTrue(e.getMessage().contains("input images float32 [?, 3, 64, 64] cannot be fed"), e.getMessage());
  }
}
