package org.diffusionbatch.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.diffusionbatch.core.sampler.LatentShape;
import org.junit.jupiter.api.Test;

class DiffusionModelTest {
  private static final LatentShape TWO = new LatentShape(2, 4, 16, 16);

  /** Token ids of the tiny CLIP: start, one concept word ("red", "blue", ...), end, padding. */
  private static final int[] CONCEPT_IDS = {513, 519, 529, 534};

  private static int[][] ids(int batch) {
    int[][] ids = new int[batch][77];
    for (int b = 0; b < batch; b++) {
      Arrays.fill(ids[b], 744);
      ids[b][0] = 743;
      ids[b][1] = CONCEPT_IDS[b % CONCEPT_IDS.length];
    }
    return ids;
  }

  private static float[] noise(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return x;
  }

  private static void assertFinite(float[] values) {
    for (float v : values) {
      assertTrue(Float.isFinite(v), "non-finite output value " + v);
    }
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  @Test
  void tinySdLoadsWithInfoFromConfigsAndGraphs() {
    try (DiffusionModel model = DiffusionModel.load(TinyModels.options("tiny-sd"))) {
      ModelInfo info = model.info();
      assertEquals("StableDiffusionPipeline", info.pipelineClass());
      assertEquals(4, info.latentChannels());
      assertEquals(16, info.sampleSize());
      assertEquals(16, info.fixedLatentHeight());
      assertEquals(16, info.fixedLatentWidth());
      assertEquals(32, info.hiddenSize());
      assertEquals(0, info.timeCondDim());
      assertEquals(0.18215, info.vaeScalingFactor(), 1e-12);
      assertEquals("float32", info.floatType());
      assertFalse(info.isLcm());
      assertEquals(64, info.digest().length());
      assertTrue(info.schedulerConfig().endsWith("scheduler/scheduler_config.json"));
      assertTrue(info.tokenizerDir().endsWith("tokenizer"));
    }
  }

  @Test
  void tinySdxlLoadsBothEncodersAndTheAddedConditions() {
    try (DiffusionModel model = DiffusionModel.load(TinyModels.options("tiny-sdxl"))) {
      ModelInfo info = model.info();
      assertTrue(info.isXl());
      assertEquals("StableDiffusionXLPipeline", info.pipelineClass());
      assertEquals(64, info.hiddenSize(), "both encoders' widths together");
      assertEquals(32, info.xl().textWidth());
      assertEquals(32, info.xl().text2Width());
      assertEquals(32, info.xl().pooledSize());
      assertEquals(6, info.xl().timeIdsSize());
      assertTrue(info.xl().forceZerosForEmptyPrompt());
      assertTrue(info.xl().tokenizer2Dir().endsWith("tokenizer_2"));
      assertEquals(0.13025, info.vaeScalingFactor(), 1e-12);
      assertEquals(8, info.vaeScaleFactor());
      assertEquals(2, info.latentMultiple(), "two UNet levels (block_out_channels [32, 64])");
      int[][] ids = ids(2);
      ids[0][1] = 529; // "circle"
      TextEmbeddings first = model.textEncoder().encode(ids);
      TextEmbeddings second = model.textEncoder2().encode(ids);
      assertEquals(2 * 77 * 32, first.tokens().length);
      assertEquals(null, first.pooled(), "SDXL takes the pooled embedding from text_encoder_2 only");
      assertEquals(1f, first.tokens()[(77 + 1) * 32 + 2], "row 1's 'blue' (id 519) from hidden_states.1: +1 on dim 2");
      assertEquals(0f, first.tokens()[32 + 4], "row 0's 'circle' is text_encoder_2's word");
      assertEquals(1f, second.tokens()[32 + 4], "'circle' (id 529): +1 on dim 4");
      assertEquals(2 * 32, second.pooled().length);
      assertEquals(1f, second.pooled()[4], "text_embeds: the circle count");
      float[] latents = noise(TWO.size(), 8);
      float[] cond = model.unet().predict(latents, TWO, 500, UNetConditioning.of(new float[2 * 77 * 64])
          .withAddedConditions(second.pooled(), new float[] {128, 128, 0, 0, 128, 128, 128, 128, 0, 0, 128, 128}));
      assertFinite(cond);
      assertThrows(IllegalArgumentException.class,
          () -> model.unet().predict(latents, TWO, 500, UNetConditioning.of(new float[2 * 77 * 64])),
          "an SDXL UNet needs text_embeds and time_ids");
    }
  }

  @Test
  void discoveredInputTypesMatchEachVariant() {
    try (DiffusionModel sd = DiffusionModel.load(TinyModels.options("tiny-sd"));
        DiffusionModel fp16 = DiffusionModel.load(TinyModels.options("tiny-sd-fp16"));
        DiffusionModel legacy = DiffusionModel.load(TinyModels.options("tiny-sd-legacy"))) {
      assertEquals(new TensorSpec("timestep", DataType.FLOAT32, new long[0]), spec(sd, "unet", "timestep"));
      assertEquals(DataType.INT64, spec(sd, "text_encoder", "input_ids").type());
      assertEquals(DataType.FLOAT16, spec(fp16, "unet", "sample").type());
      assertEquals(DataType.FLOAT16, spec(fp16, "unet", "timestep").type());
      assertEquals(DataType.FLOAT16, spec(fp16, "vae_decoder", "sample").type());
      assertEquals("float16", fp16.info().floatType());
      assertEquals(new TensorSpec("timestep", DataType.INT64, new long[] {-1}), spec(legacy, "unet", "timestep"));
      assertEquals(DataType.INT32, spec(legacy, "text_encoder", "input_ids").type());
    }
  }

  private static TensorSpec spec(DiffusionModel model, String part, String name) {
    List<TensorSpec> specs = model.describeGraphs().get(part);
    return specs.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void textEncoderReturnsBatchBy77ByHidden() {
    try (DiffusionModel model = DiffusionModel.load(TinyModels.options("tiny-sd"))) {
      float[] out = model.textEncoder().encode(ids(2)).tokens();
      assertEquals(2 * 77 * 32, out.length);
      assertFinite(out);
      float[] row1 = Arrays.copyOfRange(out, 77 * 32, 2 * 77 * 32);
      float[] row0 = Arrays.copyOfRange(out, 0, 77 * 32);
      assertTrue(maxAbsDiff(row0, row1) > 0, "different prompts give different embeddings");
    }
  }

  @Test
  void unetOnZerosIsFiniteAndShapedLikeTheLatents() {
    try (DiffusionModel model = DiffusionModel.load(TinyModels.options("tiny-sd"))) {
      float[] hidden = model.textEncoder().encode(ids(2)).tokens();
      float[] out = model.unet().predict(new float[TWO.size()], TWO, 999, UNetConditioning.of(hidden));
      assertEquals(TWO.size(), out.length);
      assertFinite(out);
    }
  }

  @Test
  void vaeDecoderGives3ChannelsAt8TimesTheLatentSize() {
    try (DiffusionModel model = DiffusionModel.load(TinyModels.options("tiny-sd"))) {
      float[] image = model.vaeDecoder().decode(noise(TWO.size(), 3), TWO);
      assertEquals(2 * 3 * 128 * 128, image.length);
      assertFinite(image);
    }
  }

  @Test
  void fp16ExportGivesNearlyTheSameAsFp32() {
    try (DiffusionModel sd = DiffusionModel.load(TinyModels.options("tiny-sd"));
        DiffusionModel fp16 = DiffusionModel.load(TinyModels.options("tiny-sd-fp16"))) {
      float[] hidden32 = sd.textEncoder().encode(ids(2)).tokens();
      float[] hidden16 = fp16.textEncoder().encode(ids(2)).tokens();
      assertTrue(maxAbsDiff(hidden32, hidden16) < 2e-2, "text embeddings differ by " + maxAbsDiff(hidden32, hidden16));
      float[] latents = noise(TWO.size(), 1);
      float[] out32 = sd.unet().predict(latents, TWO, 500, UNetConditioning.of(hidden32));
      float[] out16 = fp16.unet().predict(latents, TWO, 500, UNetConditioning.of(hidden32));
      double diff = maxAbsDiff(out32, out16);
      assertTrue(diff < 2e-2, "fp16 unet differs from fp32 by " + diff);
      assertTrue(maxAbsDiff(out32, new float[out32.length]) > 0.1, "outputs are not trivially zero");
      double imageDiff = maxAbsDiff(sd.vaeDecoder().decode(latents, TWO), fp16.vaeDecoder().decode(latents, TWO));
      assertTrue(imageDiff < 2e-2, "fp16 decoder differs by " + imageDiff);
    }
  }

  @Test
  void legacyExportGivesTheSameAsCurrent() {
    try (DiffusionModel sd = DiffusionModel.load(TinyModels.options("tiny-sd"));
        DiffusionModel legacy = DiffusionModel.load(TinyModels.options("tiny-sd-legacy"))) {
      float[] hidden = sd.textEncoder().encode(ids(2)).tokens();
      assertTrue(maxAbsDiff(hidden, legacy.textEncoder().encode(ids(2)).tokens()) < 1e-5, "int32 input_ids give the same embeddings");
      float[] latents = noise(TWO.size(), 2);
      double diff = maxAbsDiff(sd.unet().predict(latents, TWO, 981, UNetConditioning.of(hidden)),
          legacy.unet().predict(latents, TWO, 981, UNetConditioning.of(hidden)));
      assertTrue(diff < 1e-4, "int64 [B] timestep unet differs by " + diff);
    }
  }

  @Test
  void differentTimestepsGiveDifferentPredictions() {
    try (DiffusionModel sd = DiffusionModel.load(TinyModels.options("tiny-sd"))) {
      float[] hidden = sd.textEncoder().encode(ids(2)).tokens();
      float[] latents = noise(TWO.size(), 4);
      assertTrue(maxAbsDiff(sd.unet().predict(latents, TWO, 900, UNetConditioning.of(hidden)),
          sd.unet().predict(latents, TWO, 100, UNetConditioning.of(hidden))) > 1e-4, "the timestep reaches the graph");
    }
  }

  @Test
  void lcmTakesTimestepCond() {
    try (DiffusionModel lcm = DiffusionModel.load(TinyModels.options("tiny-lcm"))) {
      ModelInfo info = lcm.info();
      assertTrue(info.isLcm());
      assertEquals(256, info.timeCondDim());
      float[] hidden = lcm.textEncoder().encode(ids(2)).tokens();
      float[] latents = noise(TWO.size(), 5);
      float[] a = lcm.unet().predict(latents, TWO, 999, UNetConditioning.of(hidden).withTimestepCond(noise(2 * 256, 6)));
      float[] b = lcm.unet().predict(latents, TWO, 999, UNetConditioning.of(hidden).withTimestepCond(noise(2 * 256, 7)));
      assertFinite(a);
      assertTrue(maxAbsDiff(a, b) > 0, "timestep_cond reaches the graph");
      assertThrows(IllegalArgumentException.class, () -> lcm.unet().predict(latents, TWO, 999, UNetConditioning.of(hidden)));
    }
  }

  @Test
  void timestepCondOnANonLcmUnetIsRefused() {
    try (DiffusionModel sd = DiffusionModel.load(TinyModels.options("tiny-sd"))) {
      float[] hidden = sd.textEncoder().encode(ids(2)).tokens();
      assertThrows(IllegalArgumentException.class,
          () -> sd.unet().predict(new float[TWO.size()], TWO, 1, UNetConditioning.of(hidden).withTimestepCond(new float[512])));
    }
  }

  @Test
  void requireLatentSizeNamesAskedAndAcceptedSizes() {
    try (DiffusionModel sd = DiffusionModel.load(TinyModels.options("tiny-sd"))) {
      sd.info().requireLatentSize(16, 16);
      ModelException e = assertThrows(ModelException.class, () -> sd.info().requireLatentSize(64, 64));
      assertTrue(e.getMessage().contains("height 512 x width 512"), e.getMessage());
      assertTrue(e.getMessage().contains("height 128 x width 128"), e.getMessage());
      LatentShape big = new LatentShape(1, 4, 64, 64);
      assertThrows(IllegalArgumentException.class,
          () -> sd.unet().predict(new float[big.size()], big, 1, UNetConditioning.of(new float[77 * 32])));
    }
  }

  @Test
  void digestIsStableAcrossLoads() {
    try (DiffusionModel a = DiffusionModel.load(TinyModels.options("tiny-sd"));
        DiffusionModel b = DiffusionModel.load(TinyModels.options("tiny-sd"));
        DiffusionModel c = DiffusionModel.load(TinyModels.options("tiny-sd-fp16"))) {
      assertEquals(a.info().digest(), b.info().digest());
      assertFalse(a.info().digest().equals(c.info().digest()));
    }
  }

  @Test
  void fp16UnetSeesEmbeddingsChangedInPlace() {
    try (DiffusionModel fp16 = DiffusionModel.load(TinyModels.options("tiny-sd-fp16"))) {
      float[] latents = noise(TWO.size(), 8);
      float[] hidden = fp16.textEncoder().encode(ids(2)).tokens();
      float[] first = fp16.unet().predict(latents, TWO, 700, UNetConditioning.of(hidden));
      float[] other = fp16.textEncoder().encode(new int[][] {ids(4)[2], ids(4)[3]}).tokens();
      System.arraycopy(other, 0, hidden, 0, hidden.length); // same array, new prompts
      float[] changed = fp16.unet().predict(latents, TWO, 700, UNetConditioning.of(hidden));
      float[] fresh = fp16.unet().predict(latents, TWO, 700, UNetConditioning.of(other.clone()));
      assertTrue(maxAbsDiff(first, changed) > 1e-3, "new embeddings in the same array must reach the graph");
      assertEquals(0, maxAbsDiff(changed, fresh));
    }
  }
}
