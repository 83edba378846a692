package org.diffusionbatch.bench.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.pipeline.TextToImagePipeline;
import org.junit.jupiter.api.Test;

/** Core's real pipeline on the simulated parts (zero device time). */
class SimulatedModelTest {
  private static final SimulatedPictures PICTURES = new SimulatedPictures(2, 512, 512);
  private static final List<GenerationRequest> ROWS = List.of(
      new GenerationRequest("a red fox at golden hour", null, 1), new GenerationRequest("an old lighthouse", null, 2),
      new GenerationRequest("a bowl of ramen", null, 3));

  @Test
  void stableDiffusionWithGuidanceCallsTheUNetOnDoubledRowsAndDecodesToThePictures() {
    SimulatedDevice device = new SimulatedDevice(DeviceProfile.ZERO, SimulatedDevice.Sharing.ONE_QUEUE);
    try (TextToImagePipeline pipeline = new TextToImagePipeline(SimulatedModel.sd15("models/tiny-sd", null, device, PICTURES))) {
      assertEquals(new GenerationSettings("dpmpp-2m", 20, 7.5, 0, 512, 512, null), pipeline.defaults());
      List<GenerationResult> results = pipeline.generate(new GenerationSettings("dpmpp-2m", 3, 7.5, 0, 512, 512, null), ROWS, false);
      for (GenerationResult result : results) {
        assertTrue(result.ok(), String.valueOf(result.error()));
        assertEquals(512, result.image().width());
        byte[] rgb = result.image().rgb();
        assertTrue(Arrays.equals(rgb, PICTURES.rgb(0)) || Arrays.equals(rgb, PICTURES.rgb(1)), "not one of the pictures");
      }
      SimulatedDevice.Usage usage = device.usage();
      // One text call (3 prompts and the empty negative prompt), 3 UNet calls of 6 rows, one decode of 3.
      assertArrayEquals(new long[] {1, 3, 1}, usage.calls());
      assertArrayEquals(new long[] {4, 18, 3}, usage.rows());
    }
  }

  @Test
  void lcmCallsTheUNetOnceRowPerImageWithItsGuidanceEmbedding() {
    SimulatedDevice device = new SimulatedDevice(DeviceProfile.ZERO, SimulatedDevice.Sharing.ONE_QUEUE);
    try (TextToImagePipeline pipeline = new TextToImagePipeline(SimulatedModel.sd15("models/tiny-lcm", null, device, PICTURES))) {
      GenerationSettings settings = pipeline.defaults();
      assertEquals("lcm", settings.sampler());
      List<GenerationResult> results = pipeline.generate(settings, ROWS, false);
      assertTrue(results.stream().allMatch(GenerationResult::ok));
      assertArrayEquals(new long[] {1, 4, 1}, device.usage().calls());
      assertArrayEquals(new long[] {3, 12, 3}, device.usage().rows());
    }
  }

  @Test
  void otherSizesThanSd15sAreRefusedBeforeAnyCall() {
    SimulatedDevice device = new SimulatedDevice(DeviceProfile.ZERO, SimulatedDevice.Sharing.ONE_QUEUE);
    try (TextToImagePipeline pipeline = new TextToImagePipeline(SimulatedModel.sd15("models/tiny-sd", null, device, PICTURES))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> pipeline.validate(new GenerationSettings("dpmpp-2m", 4, 7.5, 0, 768, 512, null)));
      assertTrue(e.getMessage().contains("512"), e.getMessage());
    }
  }

  @Test
  void aFolderWithoutModelIndexIsRefusedNamingTheFile() {
    SimulatedDevice device = new SimulatedDevice(DeviceProfile.ZERO, SimulatedDevice.Sharing.ONE_QUEUE);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SimulatedModel.sd15("models", null, device, PICTURES));
    assertTrue(e.getMessage().contains("model_index.json"), e.getMessage());
  }
}
