package org.diffusionbatch.core.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelInfoTest {
  private static ModelInfo info(String pipelineClass, Integer fixedH, Integer fixedW, int timeCondDim) {
    return info(pipelineClass, fixedH, fixedW, timeCondDim, 1);
  }

  private static ModelInfo info(String pipelineClass, Integer fixedH, Integer fixedW, int timeCondDim, int multiple) {
    return new ModelInfo(Path.of("/m"), "/m", "d", pipelineClass, Path.of("/m/scheduler/scheduler_config.json"),
        Path.of("/m/tokenizer"), 4, 64, fixedH, fixedW, multiple, 768, timeCondDim, "float32",
        new ModelInfo.Vae(0.18215, 8, null, null, false), null, "none");
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
  void latentsTheUnetCannotHalveAreRefusedWithSizesThatWork() {
    ModelInfo sdxl = info("StableDiffusionXLPipeline", null, null, 0, 4);
    sdxl.requireLatentSize(128, 96);
    ModelException e = assertThrows(ModelException.class, () -> sdxl.requireLatentSize(125, 128));
    assertTrue(e.getMessage().contains("height 1000 x width 1024") && e.getMessage().contains("multiples of 32 pixels"),
        e.getMessage());
    assertTrue(e.getMessage().contains("use e.g. 992 x 1024"), e.getMessage());
  }

  @Test
  void lcmByPipelineClassOrByTimestepCond() {
    assertTrue(info("LatentConsistencyModelPipeline", null, null, 0).isLcm());
    assertTrue(info(null, null, null, 256).isLcm());
    assertFalse(info("StableDiffusionPipeline", null, null, 0).isLcm());
    assertFalse(info(null, null, null, 0).isLcm());
  }
}
