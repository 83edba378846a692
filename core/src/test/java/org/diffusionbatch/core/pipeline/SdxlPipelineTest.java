package org.diffusionbatch.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.model.TinyModels;
import org.diffusionbatch.core.model.UNetConditioning;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDXL pipeline on the bundled analytic SDXL-layout models (models/tiny-sdxl, tiny-sdxl-turbo;
 * tools/tiny_models/README.md): what reaches the UNet, pinned value by value, and the pictures.
 */
class SdxlPipelineTest {
  private static final Path MODELS = Path.of(System.getProperty("repo.root", ".")).resolve("models");
  /** tiny-sdxl's hidden widths: 32 per encoder, 64 together; text_embeds 32. */
  private static final int D = 32;
  private static final int ROW = 77 * 2 * D;

  private static TextToImagePipeline xl;
  private static TextToImagePipeline turbo;
  private static TinyModelAnswers answers;

  @BeforeAll
  static void load() throws Exception {
    xl = TextToImagePipeline.load(ModelOptions.local(MODELS.resolve("tiny-sdxl")).withThreads(1, 1));
    turbo = TextToImagePipeline.load(ModelOptions.local(MODELS.resolve("tiny-sdxl-turbo")).withThreads(1, 1));
    answers = new TinyModelAnswers(MODELS.resolve("tiny-sd/answers.json"));
  }

  @AfterAll
  static void close() {
    xl.close();
    turbo.close();
  }

  private static GeneratedImage one(TextToImagePipeline p, GenerationSettings s, GenerationRequest r) {
    GenerationResult result = p.generate(s, List.of(r), false).get(0);
    assertTrue(result.ok(), () -> "generation failed: " + result.failedStage() + ": " + result.error());
    return result.image();
  }

  @Test
  void defaultsAreSdxlsAndTurbosOwn() {
    GenerationSettings d = xl.defaults();
    assertEquals("euler", d.sampler(), "SDXL base ships EulerDiscreteScheduler");
    assertEquals(20, d.steps());
    assertEquals(5.0, d.guidanceScale(), "StableDiffusionXLPipeline's default guidance");
    assertEquals(128, d.width());
    assertEquals(128, d.height());
    GenerationSettings t = turbo.defaults();
    assertEquals("euler-a", t.sampler());
    assertEquals(1, t.steps(), "SDXL-Turbo: one step");
    assertEquals(0.0, t.guidanceScale(), "SDXL-Turbo: no classifier-free guidance");
  }

  @Test
  void conditioningIsBothEncodersPenultimateStatesPooledEmbedsAndSizeIds() {
    GenerationSettings s = xl.defaults();
    UNetConditioning c = xl.conditioning(s, List.of(new GenerationRequest("a red circle", null, 1)));
    // guidance 5: two rows, the unconditional (zeros: no negative prompt, force_zeros_for_empty_prompt) first
    assertEquals(2 * ROW, c.encoderHiddenStates().length);
    float[] negative = Arrays.copyOfRange(c.encoderHiddenStates(), 0, ROW);
    assertArrayEquals(new float[ROW], negative);
    assertArrayEquals(new float[D], Arrays.copyOfRange(c.textEmbeds(), 0, D));
    float[] row = Arrays.copyOfRange(c.encoderHiddenStates(), ROW, 2 * ROW);
    // tokens: BOS, a, red, circle, EOS, then tokenizer_2 pads with "!" (tokenizer pads with EOS: zero in text_encoder)
    assertEquals(1f, row[2 * 2 * D], "'red' in text_encoder's half, dim 0, from hidden_states.1 (not -1 or 0.5)");
    assertEquals(1f, row[3 * 2 * D + D + 4], "'circle' in text_encoder_2's half, dim 4");
    assertEquals(0.5f, row[4 * 2 * D + D + 6], "EOS in text_encoder_2's half: 0.5 on the triangle dim");
    assertEquals(0f, row[5 * 2 * D + D + 6], "the first pad of tokenizer_2 is '!', not EOS");
    float sum = 0;
    for (float v : row) {
      sum += v;
    }
    assertEquals(2.5f, sum, 1e-6f, "red + circle + one EOS");
    float[] pooled = Arrays.copyOfRange(c.textEmbeds(), D, 2 * D);
    assertEquals(1f, pooled[4], "text_encoder_2's text_embeds: circle");
    assertEquals(0.5f, pooled[6], "and one EOS");
    assertEquals(0f, pooled[0], "colour words are text_encoder's, not text_encoder_2's");
    assertArrayEquals(new float[] {128, 128, 0, 0, 128, 128, 128, 128, 0, 0, 128, 128}, c.timeIds());
    assertNull(c.timestepCond());
  }

  @Test
  void emptyNegativePromptIsEncodedWhileNoneGivesZeros() {
    GenerationSettings s = xl.defaults();
    UNetConditioning c = xl.conditioning(s, List.of(new GenerationRequest("a red circle", "", 1)));
    // "" = BOS, EOS, "!"...: only EOS contributes, 0.5 on text_encoder_2's triangle dim
    assertEquals(0.5f, c.encoderHiddenStates()[2 * D + D + 6]);
    assertEquals(0.5f, c.textEmbeds()[6]);
    GeneratedImage none = one(xl, s, new GenerationRequest("a red circle", null, 3));
    GeneratedImage empty = one(xl, s, new GenerationRequest("a red circle", "", 3));
    assertFalse(Arrays.equals(none.rgb(), empty.rgb()), "zeros and the encoded \"\" guide differently");
  }

  @Test
  void withoutGuidanceOnlyThePromptRowsAreMade() {
    GenerationSettings s = turbo.defaults();
    UNetConditioning c = turbo.conditioning(s, List.of(new GenerationRequest("a blue square", "red", 1),
        new GenerationRequest("a red circle", null, 2)));
    assertEquals(2 * ROW, c.encoderHiddenStates().length);
    assertEquals(2 * D, c.textEmbeds().length);
    assertEquals(1f, c.encoderHiddenStates()[2 * 2 * D + 2], "row 0 is the blue square prompt, not its negative");
  }

  @Test
  void promptsGiveTheirPictures() {
    String[][] cases = {{"a red circle", "red circle"}, {"a blue square", "blue square"},
      {"a photo of a green triangle", "green triangle"}};
    long seed = 11;
    for (String[] c : cases) {
      GeneratedImage image = one(xl, xl.defaults(), new GenerationRequest(c[0], null, seed++));
      assertEquals(c[1], answers.nearest(image), c[0]);
      assertTrue(answers.distanceTo(image, c[1]) < 10, c[0] + ": " + answers.distanceTo(image, c[1]));
    }
  }

  @Test
  void turboMakesThePictureInOneStepWithTheModelsOwnScheduler() {
    for (long seed = 0; seed < 3; seed++) {
      GeneratedImage image = one(turbo, turbo.defaults(), new GenerationRequest("a yellow circle", null, seed));
      assertEquals("yellow circle", answers.nearest(image), "seed " + seed);
    }
  }

  @Test
  void sizeConditioningReachesTheUnet() {
    // The analytic UNet favours the yellow square when time_ids are not the image's own size.
    SizeConditioning small = SizeConditioning.parse(Map.of("original_size", "64,64"));
    GenerationSettings d = xl.defaults();
    GenerationSettings s = new GenerationSettings(d.sampler(), d.steps(), d.guidanceScale(), 0, d.width(), d.height(),
        null, small);
    UNetConditioning c = xl.conditioning(s, List.of(new GenerationRequest("a red circle", null, 1)));
    assertArrayEquals(new float[] {64, 64, 0, 0, 128, 128, 64, 64, 0, 0, 128, 128}, c.timeIds(),
        "the negative rows repeat the positive ones unless both negative sizes are given");
    assertEquals("yellow square", answers.nearest(one(xl, s, new GenerationRequest("a red circle", null, 4))));
    SizeConditioning negative = SizeConditioning.parse(Map.of("negative_original_size", "512,256",
        "negative_target_size", "1024,768", "crops_coords_top_left", "3,4"));
    assertArrayEquals(new float[] {512, 256, 0, 0, 1024, 768, 128, 128, 3, 4, 128, 128},
        xl.conditioning(new GenerationSettings(d.sampler(), d.steps(), d.guidanceScale(), 0, d.width(), d.height(), null,
            negative), List.of(new GenerationRequest("a red circle", null, 1))).timeIds());
  }

  @Test
  void nanFromAFloat16VaeFailsTheRowNamingTheFp16FixVae(@TempDir Path temp) throws Exception {
    Path dir = TinyModels.copy("tiny-sdxl", temp);
    Files.copy(MODELS.resolve("tiny-sd-fp16/vae_decoder/model.onnx"), dir.resolve("vae_decoder/model.onnx"),
        StandardCopyOption.REPLACE_EXISTING);
    // force_upcast off (decode in float16 anyway) and latents scaled past float16's range: it overflows
    Files.writeString(dir.resolve("vae_decoder/config.json"), "{\"scaling_factor\": 1e-7, \"force_upcast\": false,"
        + " \"block_out_channels\": [8, 16, 32, 32]}");
    try (TextToImagePipeline p = TextToImagePipeline.load(ModelOptions.local(dir).withThreads(1, 1))) {
      GenerationResult r = p.generate(p.defaults(), List.of(new GenerationRequest("a red circle", null, 1)), false).get(0);
      assertFalse(r.ok());
      assertEquals("decode", r.failedStage());
      assertTrue(r.error().contains("float16 VAE decoder") && r.error().contains("madebyollin/sdxl-vae-fp16-fix"), r.error());
    }
  }

  @Test
  void vaeInputIsUnscaledByTheVaesOwnFactorAndLatentStatistics(@TempDir Path temp) throws Exception {
    org.diffusionbatch.core.sampler.LatentShape shape = new org.diffusionbatch.core.sampler.LatentShape(1, 4, 16, 16);
    float[] latents = new float[shape.size()];
    Arrays.fill(latents, 0.5f);
    assertEquals(0.5f / 0.13025f, xl.vaeInput(latents, shape)[0], "SDXL's scaling_factor 0.13025");
    Path dir = TinyModels.copy("tiny-sdxl", temp);
    Files.writeString(dir.resolve("vae_decoder/config.json"), "{\"scaling_factor\": 0.5, \"latents_mean\": [1, 2, 3, 4],"
        + " \"latents_std\": [2, 2, 2, 3], \"block_out_channels\": [8, 16, 32, 32]}");
    try (TextToImagePipeline p = TextToImagePipeline.load(ModelOptions.local(dir).withThreads(1, 1))) {
      float[] in = p.vaeInput(latents, shape);
      assertEquals(0.5f * 2 / 0.5f + 1, in[0], "channel 0: latents * std / scaling + mean");
      assertEquals(0.5f * 3 / 0.5f + 4, in[3 * 256 + 5], "channel 3");
    }
  }

  @Test
  void badSizeConditioningIsRefusedNamingTheKey() {
    String unknown = assertThrows(IllegalArgumentException.class,
        () -> SizeConditioning.parse(Map.of("orginal_size", "1,1"))).getMessage();
    assertTrue(unknown.contains("orginal_size") && unknown.contains("original_size"), unknown);
    String pair = assertThrows(IllegalArgumentException.class,
        () -> SizeConditioning.parse(Map.of("target_size", "1024"))).getMessage();
    assertTrue(pair.contains("target_size=1024") && pair.contains("(height, width)"), pair);
    String half = assertThrows(IllegalArgumentException.class,
        () -> SizeConditioning.parse(Map.of("negative_original_size", "512,512"))).getMessage();
    assertTrue(half.contains("go together"), half);
  }
}
