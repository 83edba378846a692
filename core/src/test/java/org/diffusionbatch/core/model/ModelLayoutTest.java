package org.diffusionbatch.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layout checks on folders of placeholder files: no graph is loaded here. */
class ModelLayoutTest {
  @TempDir
  Path dir;

  private void file(String relative, String content) throws IOException {
    Path p = dir.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  private void completeExport(String pipelineClass) throws IOException {
    file("model_index.json", "{\"_class_name\": \"" + pipelineClass + "\"}");
    file("text_encoder/model.onnx", "x");
    file("unet/model.onnx", "x");
    file("vae_decoder/model.onnx", "x");
    file("scheduler/scheduler_config.json", "{\"_class_name\": \"PNDMScheduler\"}");
    file("tokenizer/vocab.json", "{}");
    file("tokenizer/merges.txt", "");
  }

  private String error() {
    return assertThrows(ModelException.class, () -> ModelLayout.read(dir)).getMessage();
  }

  @Test
  void completeExportIsReadWithConfigValues() throws IOException {
    completeExport("StableDiffusionPipeline");
    file("unet/config.json", "{\"sample_size\": 96, \"in_channels\": 4, \"cross_attention_dim\": 1024}");
    file("vae_decoder/config.json", "{\"scaling_factor\": 0.13025}");
    file("text_encoder/config.json", "{\"hidden_size\": 1024}");
    ModelLayout layout = ModelLayout.read(dir);
    assertEquals("StableDiffusionPipeline", layout.pipelineClass());
    assertEquals(96, layout.unetSampleSize());
    assertEquals(1024, layout.crossAttentionDim());
    assertEquals(1024, layout.textHiddenSize());
    assertNull(layout.timeCondProjDim());
    assertEquals(0.13025, layout.vaeScalingFactor(), 0);
    assertEquals(dir.resolve("unet/model.onnx"), layout.unet());
  }

  @Test
  void scalingFactorDefaultsToSd1ValueWhenAbsent() throws IOException {
    completeExport("OnnxStableDiffusionPipeline");
    file("vae_decoder/config.json", "{}");
    assertEquals(0.18215, ModelLayout.read(dir).vaeScalingFactor(), 0);
  }

  @Test
  void missingUnetNamesTheFileAndTheExpectedLayout() throws IOException {
    completeExport("StableDiffusionPipeline");
    Files.delete(dir.resolve("unet/model.onnx"));
    String message = error();
    assertTrue(message.contains("has no unet/model.onnx"), message);
    assertTrue(message.contains("optimum-cli export onnx"), message);
  }

  @Test
  void missingTokenizerAndSchedulerAreNamed() throws IOException {
    completeExport("StableDiffusionPipeline");
    Files.delete(dir.resolve("tokenizer/merges.txt"));
    assertTrue(error().contains("tokenizer/merges.txt"));
    file("tokenizer/merges.txt", "");
    Files.delete(dir.resolve("scheduler/scheduler_config.json"));
    assertTrue(error().contains("scheduler/scheduler_config.json"));
  }

  @Test
  void folderWithoutIndexOrPartsIsAnUnknownLayout() throws IOException {
    file("weights.bin", "x");
    String message = error();
    assertTrue(message.contains("no model_index.json and none of text_encoder/, unet/, vae_decoder/"), message);
  }

  @Test
  void diffusersPytorchCheckpointGetsAConversionHint() throws IOException {
    file("model_index.json", "{\"_class_name\": \"StableDiffusionPipeline\"}");
    file("unet/diffusion_pytorch_model.safetensors", "x");
    file("vae/diffusion_pytorch_model.safetensors", "x");
    String message = error();
    assertTrue(message.contains("diffusers PyTorch checkpoint"), message);
  }

  @Test
  void missingFolderSaysSo() {
    String message = assertThrows(ModelException.class, () -> ModelLayout.read(dir.resolve("nope"))).getMessage();
    assertTrue(message.contains("does not exist"), message);
  }

  private void completeXlExport(String pipelineClass) throws IOException {
    completeExport(pipelineClass);
    file("text_encoder_2/model.onnx", "x");
    file("tokenizer_2/vocab.json", "{}");
    file("tokenizer_2/merges.txt", "");
  }

  @Test
  void sdxlExportIsReadWithItsSecondEncoderAndVaeSettings() throws IOException {
    completeXlExport("StableDiffusionXLPipeline");
    file("model_index.json", "{\"_class_name\": \"StableDiffusionXLPipeline\", \"force_zeros_for_empty_prompt\": false}");
    file("unet/config.json", "{\"sample_size\": 128, \"block_out_channels\": [320, 640, 1280]}");
    file("vae_decoder/config.json", "{\"scaling_factor\": 0.13025, \"force_upcast\": false,"
        + " \"block_out_channels\": [128, 256, 512, 512], \"latents_mean\": [1, 2, 3, 4], \"latents_std\": [5, 6, 7, 8]}");
    ModelLayout layout = ModelLayout.read(dir);
    assertTrue(layout.isXl());
    assertEquals(dir.resolve("text_encoder_2/model.onnx"), layout.textEncoder2());
    assertEquals(dir.resolve("tokenizer_2"), layout.tokenizer2Dir());
    assertEquals(false, layout.forceZerosForEmptyPrompt());
    assertEquals(3, layout.unetConfig().levels());
    assertEquals(0.13025, layout.vaeScalingFactor(), 0);
    assertEquals(8, layout.vaeConfig().scaleFactor());
    assertEquals(false, layout.vaeConfig().forceUpcast());
    assertEquals(4f, layout.vaeConfig().latentsMean()[3]);
    assertEquals(5f, layout.vaeConfig().latentsStd()[0]);
  }

  @Test
  void diffusersDefaultsApplyWhereConfigsAreSilent() throws IOException {
    completeXlExport("ORTStableDiffusionXLPipeline");
    ModelLayout layout = ModelLayout.read(dir);
    assertTrue(layout.forceZerosForEmptyPrompt(), "StableDiffusionXLPipeline's default");
    assertTrue(layout.vaeConfig().forceUpcast(), "AutoencoderKL's default");
    assertEquals(8, layout.vaeConfig().scaleFactor());
    assertNull(layout.vaeConfig().latentsMean());
    assertNull(layout.unetConfig().levels());
    completeExport("StableDiffusionPipeline");
    file("vae_decoder/config.json", "{\"block_out_channels\": [32, 64]}");
    assertEquals(2, ModelLayout.read(dir).vaeConfig().scaleFactor(), "2 ** (len(block_out_channels) - 1)");
  }

  @Test
  void sdxlWithoutItsSecondEncoderOrTokenizerNamesTheMissingFile() throws IOException {
    completeExport("StableDiffusionXLPipeline");
    String message = error();
    assertTrue(message.contains("SDXL pipeline but has no text_encoder_2/model.onnx"), message);
    completeXlExport("StableDiffusionXLPipeline");
    Files.delete(dir.resolve("tokenizer_2/merges.txt"));
    message = error();
    assertTrue(message.contains("has no tokenizer_2/merges.txt"), message);
  }

  @Test
  void sdxlRefinerIsRefusedSayingWhatIsSupported() throws IOException {
    completeXlExport("StableDiffusionXLImg2ImgPipeline");
    file("model_index.json", "{\"_class_name\": \"StableDiffusionXLImg2ImgPipeline\", \"requires_aesthetics_score\": true}");
    String message = error();
    assertTrue(message.contains("SDXL refiner") && message.contains("stable-diffusion-xl-base-1.0"), message);
    assertTrue(message.contains("SDXL-Turbo") && message.contains("LCM-SDXL"), message);
    // the refiner as Optimum exports it: text_encoder_2 only
    completeXlExport("StableDiffusionXLImg2ImgPipeline");
    Files.delete(dir.resolve("text_encoder/model.onnx"));
    message = error();
    assertTrue(message.contains("SDXL refiner") && message.contains("no text_encoder/"), message);
  }

  @Test
  void sdxlBaseExportedAsImageToImageIsAccepted() throws IOException {
    completeXlExport("StableDiffusionXLImg2ImgPipeline");
    assertTrue(ModelLayout.read(dir).isXl());
  }

  @Test
  void otherSdxlPipelinesAreRefusedByName() throws IOException {
    completeXlExport("StableDiffusionXLControlNetPipeline");
    String message = error();
    assertTrue(message.contains("StableDiffusionXLControlNetPipeline") && message.contains("SDXL base"), message);
  }

  @Test
  void otherPipelinesAreRefusedByName() throws IOException {
    completeExport("FluxPipeline");
    assertTrue(error().contains("FluxPipeline"));
  }

  @Test
  void supportedPipelineNames() {
    for (String ok : new String[] {"StableDiffusionPipeline", "OnnxStableDiffusionPipeline",
        "ORTStableDiffusionPipeline", "StableDiffusionImg2ImgPipeline", "LatentConsistencyModelPipeline",
        "ORTLatentConsistencyModelPipeline", "StableDiffusionXLPipeline", "ORTStableDiffusionXLPipeline"}) {
      assertTrue(ModelLayout.isSupportedPipeline(ok), ok);
    }
    for (String no : new String[] {"StableDiffusionXLControlNetPipeline", "StableDiffusion3Pipeline",
        "KandinskyPipeline"}) {
      assertTrue(!ModelLayout.isSupportedPipeline(no), no);
    }
  }

  @Test
  void invalidJsonNamesTheFile() throws IOException {
    completeExport("StableDiffusionPipeline");
    file("unet/config.json", "{ not json");
    assertTrue(error().contains("unet/config.json"));
  }

  @Test
  void exportWithoutModelIndexButWithPartsIsAccepted() throws IOException {
    completeExport("StableDiffusionPipeline");
    Files.delete(dir.resolve("model_index.json"));
    assertNull(ModelLayout.read(dir).pipelineClass());
  }
}
