package org.diffusionbatch.core.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelInfoTest {
  private static ModelInfo info(String pipelineClass, Integer fixedH, Integer fixedW, int timeCondDim) {
    return new ModelInfo(Path.of("/m"), "/m", "d", pipelineClass, Path.of("/m/scheduler/scheduler_config.json"),
        Path.of("/m/tokenizer"), 4, 64, fixedH, fixedW, 0.18215, 768, timeCondDim, "float32", "none");
  }

  @Test
  void dynamicGraphsAcceptAnyLatentSize() {
    info("StableDiffusionPipeline", null, null, 0).requireLatentSize(96, 40);
  }

  @Test
  void aFixedHeightIsCheckedAndNamedWhileWidthStaysFree() {
    ModelInfo info = info("StableDiffusionPipeline", 64, null, 0);
    info.requireLatentSize(64, 100);
    ModelException e = assertThrows(ModelException.class, () -> info.requireLatentSize(96, 96));
    assertTrue(e.getMessage().contains("height 512 x any width"), e.getMessage());
    assertTrue(e.getMessage().contains("height 768 x width 768"), e.getMessage());
  }

  @Test
  void lcmByPipelineClassOrByTimestepCond() {
    assertTrue(info("LatentConsistencyModelPipeline", null, null, 0).isLcm());
    assertTrue(info(null, null, null, 256).isLcm());
    assertFalse(info("StableDiffusionPipeline", null, null, 0).isLcm());
    assertFalse(info(null, null, null, 0).isLcm());
  }
}
