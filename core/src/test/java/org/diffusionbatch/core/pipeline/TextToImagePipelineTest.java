package org.diffusionbatch.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.model.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on the bundled tiny models through DJL and ONNX Runtime. */
class TextToImagePipelineTest {
  private static final Path MODELS = Path.of(System.getProperty("repo.root", ".")).resolve("models");
  private static TextToImagePipeline sd;
  private static TinyModelAnswers answers;

  @BeforeAll
  static void load() throws Exception {
    sd = TextToImagePipeline.load(ModelOptions.local(MODELS.resolve("tiny-sd")));
    answers = new TinyModelAnswers(MODELS.resolve("tiny-sd/answers.json"));
  }

  @AfterAll
  static void close() {
    sd.close();
  }

  private static GenerationSettings settings(String sampler, int steps, double guidance) {
    GenerationSettings d = sd.defaults();
    return new GenerationSettings(sampler, steps, guidance, 0, d.width(), d.height(), null);
  }

  private static GeneratedImage one(TextToImagePipeline p, GenerationSettings s, String prompt, long seed) {
    GenerationResult r = p.generate(s, List.of(new GenerationRequest(prompt, "", seed)), true).get(0);
    assertTrue(r.ok(), () -> "generation failed: " + r.failedStage() + ": " + r.error());
    return r.image();
  }

  @Test
  void defaultsAreTheModelsNativeSizeAndDiffusersSettings() {
    GenerationSettings d = sd.defaults();
    assertEquals(128, d.width());
    assertEquals(128, d.height());
    assertEquals("dpmpp-2m", d.sampler());
    assertEquals(20, d.steps());
    assertEquals(7.5, d.guidanceScale());
  }

  @Test
  void eachRowGetsAPngOfTheRequestedSizeThatDecodesToItsPixels() throws Exception {
    List<GenerationResult> results = sd.generate(settings("dpmpp-2m", 8, 7.5),
        List.of(new GenerationRequest("a red circle", "", 1), new GenerationRequest("a blue square", "", 2)), true);
    assertEquals(2, results.size());
    for (GenerationResult r : results) {
      assertTrue(r.ok());
      GeneratedImage image = r.image();
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(image.png()));
      assertEquals(128, decoded.getWidth());
      assertEquals(128, decoded.getHeight());
      int rgb = decoded.getRGB(37, 91);
      int at = (91 * 128 + 37) * 3;
      assertEquals(image.rgb()[at] & 0xff, (rgb >> 16) & 0xff);
      assertEquals(image.rgb()[at + 1] & 0xff, (rgb >> 8) & 0xff);
      assertEquals(image.rgb()[at + 2] & 0xff, rgb & 0xff);
      assertTrue(image.timings().unetNanos() > 0 && image.timings().pngNanos() > 0);
    }
  }

  @Test
  void promptGivesItsPictureWithEverySampler() {
    for (String sampler : List.of("dpmpp-2m", "euler", "ddim", "dpmpp-2m-karras", "euler-a")) {
      GenerationSettings s = settings(sampler, 20, 7.5);
      assertEquals("red circle", answers.nearest(one(sd, s, "a red circle", 7)), sampler);
      assertEquals("blue square", answers.nearest(one(sd, s, "a blue square", 8)), sampler);
      assertEquals("green triangle", answers.nearest(one(sd, s, "a green triangle", 9)), sampler);
    }
  }

  @Test
  void sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() {
    GenerationSettings s = settings("dpmpp-2m", 8, 7.5);
    GeneratedImage a = one(sd, s, "red", 42);
    GeneratedImage b = one(sd, s, "red", 42);
    GeneratedImage c = one(sd, s, "red", 43);
    assertArrayEquals(a.png(), b.png());
    assertFalse(Arrays.equals(a.rgb(), c.rgb()));
  }

  @Test
  void aRowGivesTheSameImageAloneOrInABatch() {
    GenerationSettings s = settings("dpmpp-2m", 6, 7.5);
    GeneratedImage alone = one(sd, s, "a yellow square", 5);
    List<GenerationResult> batch = sd.generate(s, List.of(
        new GenerationRequest("a green circle", "blue", 3),
        new GenerationRequest("a yellow square", "", 5),
        new GenerationRequest("a red triangle", "", 4)), false);
    assertArrayEquals(alone.rgb(), batch.get(1).image().rgb());
    assertEquals(null, batch.get(1).image().png());
  }

  @Test
  void guidanceSharpensTowardThePromptsPicture() {
    GenerationSettings unguided = settings("dpmpp-2m", 20, 1.0);
    GenerationSettings guided = settings("dpmpp-2m", 20, 7.5);
    double without = 0;
    double with = 0;
    for (long seed = 20; seed < 24; seed++) {
      without += answers.distanceTo(one(sd, unguided, "a red circle", seed), "red circle");
      with += answers.distanceTo(one(sd, guided, "a red circle", seed), "red circle");
    }
    assertTrue(with < without, "guided distance " + with + " should be below unguided " + without);
  }

  @Test
  void negativePromptChangesTheImage() {
    GenerationSettings s = settings("dpmpp-2m", 8, 7.5);
    GeneratedImage plain = one(sd, s, "red", 11);
    GenerationResult negative = sd.generate(s, List.of(new GenerationRequest("red", "circle", 11)), false).get(0);
    assertFalse(Arrays.equals(plain.rgb(), negative.image().rgb()));
  }

  @Test
  void lcmModelMakesThePictureInFourSteps() {
    try (TextToImagePipeline lcm = TextToImagePipeline.load(ModelOptions.local(MODELS.resolve("tiny-lcm")))) {
      GenerationSettings d = lcm.defaults();
      assertEquals("lcm", d.sampler());
      assertEquals(4, d.steps());
      assertEquals("red circle", answers.nearest(one(lcm, d, "a red circle", 1)));
      assertEquals("blue triangle", answers.nearest(one(lcm, d, "a blue triangle", 2)));
    }
  }

  @Test
  void fp16AndLegacyExportsGiveTheSamePicture() {
    GenerationSettings s = settings("euler", 12, 7.5);
    GeneratedImage reference = one(sd, s, "a green square", 77);
    try (TextToImagePipeline fp16 = TextToImagePipeline.load(ModelOptions.local(MODELS.resolve("tiny-sd-fp16")));
        TextToImagePipeline legacy = TextToImagePipeline.load(ModelOptions.local(MODELS.resolve("tiny-sd-legacy")))) {
      GeneratedImage half = one(fp16, s, "a green square", 77);
      GeneratedImage old = one(legacy, s, "a green square", 77);
      assertEquals("green square", answers.nearest(half));
      assertArrayEquals(reference.rgb(), old.rgb(), "legacy export (int64 [B] timestep, int32 ids) must match");
      int worst = 0;
      for (int i = 0; i < reference.rgb().length; i++) {
        worst = Math.max(worst, Math.abs((reference.rgb()[i] & 0xff) - (half.rgb()[i] & 0xff)));
      }
      assertTrue(worst <= 3, "fp16 differs from fp32 by up to " + worst + "/255");
    }
  }

  @Test
  void sizeTheGraphDoesNotAcceptIsRejectedNamingTheSizeItDoes() {
    GenerationSettings s = new GenerationSettings("dpmpp-2m", 4, 7.5, 0, 256, 128, null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sd.validate(s));
    assertTrue(e.getMessage().contains("256") && e.getMessage().contains("128"), e.getMessage());
    GenerationSettings odd = new GenerationSettings("dpmpp-2m", 4, 7.5, 0, 130, 128, null);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> sd.validate(odd)).getMessage().contains("multiple of 8"));
  }

  @Test
  void noNegativePromptIsTheEmptyOneForStableDiffusion() {
    GenerationSettings s = settings("euler", 6, 7.5);
    GenerationResult none = sd.generate(s, List.of(new GenerationRequest("red", null, 5)), false).get(0);
    assertArrayEquals(one(sd, s, "red", 5).rgb(), none.image().rgb(), "diffusers: negative_prompt None means \"\"");
  }

  @Test
  void sizeConditioningIsRefusedForStableDiffusion() {
    GenerationSettings d = sd.defaults();
    GenerationSettings s = new GenerationSettings(d.sampler(), 4, 7.5, 0, d.width(), d.height(), null,
        SizeConditioning.parse(java.util.Map.of("original_size", "512,512")));
    String message = assertThrows(IllegalArgumentException.class, () -> sd.validate(s)).getMessage();
    assertTrue(message.contains("SDXL models only") && message.contains("original_size=512,512"), message);
  }

  @Test
  void sizeTheUnetLevelsCannotHalveIsRejectedWithSizesThatWork(@TempDir Path temp) throws Exception {
    Path dir = TinyModels.copy("tiny-sd", temp);
    // six levels halve the latents five times: 16x16 latents (128 pixels) cannot be halved that often
    Files.writeString(dir.resolve("unet/config.json"), "{\"sample_size\": 16, \"block_out_channels\": [1, 2, 3, 4, 5, 6]}");
    try (TextToImagePipeline p = TextToImagePipeline.load(ModelOptions.local(dir).withThreads(1, 1))) {
      String message = assertThrows(IllegalArgumentException.class, () -> p.validate(p.defaults())).getMessage();
      assertTrue(message.contains("width 128 is not a size this model can take") && message.contains("multiple of 256"),
          message);
    }
  }

  @Test
  void sdTurboSchedulerGivesOneStepWithoutGuidanceByDefault(@TempDir Path temp) throws Exception {
    Path dir = TinyModels.copy("tiny-sd", temp);
    // stabilityai/sd-turbo's scheduler: Euler ancestral with "trailing" timesteps
    Files.writeString(dir.resolve("scheduler/scheduler_config.json"), "{\"_class_name\": \"EulerAncestralDiscreteScheduler\","
        + " \"beta_start\": 0.00085, \"beta_end\": 0.012, \"beta_schedule\": \"scaled_linear\", \"num_train_timesteps\": 1000,"
        + " \"prediction_type\": \"epsilon\", \"steps_offset\": 1, \"timestep_spacing\": \"trailing\"}");
    try (TextToImagePipeline turbo = TextToImagePipeline.load(ModelOptions.local(dir).withThreads(1, 1))) {
      GenerationSettings d = turbo.defaults();
      assertEquals("euler-a", d.sampler());
      assertEquals(1, d.steps());
      assertEquals(0.0, d.guidanceScale());
      assertEquals("blue square", answers.nearest(one(turbo, d, "a blue square", 3)));
    }
  }

  @Test
  void oneStepWorksWithEverySampler() {
    for (String name : org.diffusionbatch.core.sampler.Samplers.names()) {
      GenerationResult r = sd.generate(settings(name, 1, 7.5), List.of(new GenerationRequest("a red circle", null, 2)), false)
          .get(0);
      assertTrue(r.ok(), () -> name + ": " + r.failedStage() + ": " + r.error());
    }
  }

  @Test
  void unknownSamplerIsRejectedListingTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> sd.validate(settings("plms-9000", 4, 7.5)));
    assertTrue(e.getMessage().contains("dpmpp-2m") && e.getMessage().contains("lcm"), e.getMessage());
  }

  @Test
  void nullPromptFailsItsRowOnly() {
    List<GenerationResult> results = sd.generate(settings("euler", 3, 7.5),
        List.of(new GenerationRequest(null, "", 1), new GenerationRequest("blue", "", 2)), false);
    assertFalse(results.get(0).ok());
    assertEquals("text", results.get(0).failedStage());
    assertNotNull(results.get(1).image());
  }

  @Test
  void settingsTheModelCannotRunFailEveryRowOfTheBatchAtStageSettings() {
    List<GenerationResult> results = sd.generate(settings("euler", 0, 7.5),
        List.of(new GenerationRequest("red", "", 1), new GenerationRequest("blue", "", 2)), false);
    assertEquals(List.of("settings", "settings"), results.stream().map(GenerationResult::failedStage).toList());
    assertEquals("steps must be at least 1, got 0", results.get(1).error());
  }
}
