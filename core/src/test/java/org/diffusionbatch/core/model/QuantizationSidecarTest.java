package org.diffusionbatch.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizationSidecarTest {
  @TempDir Path dir;

  @Test
  void aFolderWithoutSidecarIsNotQuantized() {
    assertEquals("none", ModelInfoReader.quantization(dir));
  }

  @Test
  void theSidecarsModeIsTheQuantization() throws Exception {
    Files.writeString(dir.resolve("quantization.json"), "{\"format\": \"diffusion-batch-quantization/1\", \"mode\": \"int8\"}");
    assertEquals("int8", ModelInfoReader.quantization(dir));
  }

  @Test
  void aSidecarWithoutModeOrNotJsonIsAnError() throws Exception {
    Files.writeString(dir.resolve("quantization.json"), "{\"parts\": [\"unet\"]}");
    assertTrue(assertThrows(ModelException.class, () -> ModelInfoReader.quantization(dir)).getMessage().contains("no \"mode\""));
    Files.writeString(dir.resolve("quantization.json"), "mode: int8");
    assertTrue(assertThrows(ModelException.class, () -> ModelInfoReader.quantization(dir)).getMessage().contains("cannot read"));
  }
}
