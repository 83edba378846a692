package org.diffusionbatch.core.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken copies of the tiny exports: each load error names the file and says what to do. */
class ModelLoadErrorsTest {
  @TempDir
  Path temp;

  private Path copyOf(String name) throws IOException {
    return TinyModels.copy(name, temp);
  }

  private static String loadError(Path dir) {
    return loadError(ModelOptions.local(dir).withThreads(1, 1));
  }

  private static String loadError(ModelOptions options) {
    return assertThrows(ModelException.class, () -> DiffusionModel.load(options).close()).getMessage();
  }

  @Test
  void garbageUnetIsReportedAsCorruptWithTheFileName() throws IOException {
    Path dir = copyOf("tiny-sd");
    Files.writeString(dir.resolve("unet/model.onnx"), "this is not an ONNX file at all, just some text");
    String message = loadError(dir);
    assertTrue(message.contains("unet/model.onnx") && message.contains("truncated or corrupt"), message);
    assertTrue(message.contains("re-export"), message);
  }

  @Test
  void truncatedTextEncoderIsReportedAsCorruptWithTheFileName() throws IOException {
    Path dir = copyOf("tiny-sd");
    Path file = dir.resolve("text_encoder/model.onnx");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    String message = loadError(dir);
    assertTrue(message.contains("text_encoder/model.onnx") && message.contains("truncated or corrupt"), message);
  }

  @Test
  void missingExternalWeightsAreNamed() throws IOException {
    Path dir = copyOf("tiny-sd-legacy");
    Files.delete(dir.resolve("unet/model.onnx_data"));
    String message = loadError(dir);
    assertTrue(message.contains("unet/model.onnx") && message.contains("external file"), message);
  }

  @Test
  void truncatedExternalWeightsAreNamed() throws IOException {
    Path dir = copyOf("tiny-sd-legacy");
    Path data = dir.resolve("unet/model.onnx_data");
    byte[] bytes = Files.readAllBytes(data);
    Files.write(data, Arrays.copyOf(bytes, bytes.length / 3));
    String message = loadError(dir);
    assertTrue(message.contains("unet/model.onnx") && message.contains("external file"), message);
  }

  @Test
  void unetWithoutSampleInputListsItsInputs() throws IOException {
    Path dir = copyOf("tiny-sd");
    Files.copy(dir.resolve("vae_decoder/model.onnx"), dir.resolve("unet/model.onnx"), StandardCopyOption.REPLACE_EXISTING);
    String message = loadError(dir);
    assertTrue(message.contains("unet/model.onnx") && message.contains("no input 'sample'"), message);
    assertTrue(message.contains("latent_sample"), message);
  }

  @Test
  void textEncoderWithoutInputIdsListsItsInputs() throws IOException {
    Path dir = copyOf("tiny-sd");
    Files.copy(dir.resolve("vae_decoder/model.onnx"), dir.resolve("text_encoder/model.onnx"),
        StandardCopyOption.REPLACE_EXISTING);
    String message = loadError(dir);
    assertTrue(message.contains("text_encoder/model.onnx") && message.contains("last_hidden_state"), message);
  }

  @Test
  void sdxlWithoutItsSecondTextEncoderSaysWhatIsMissing() throws IOException {
    Path dir = copyOf("tiny-sdxl");
    Files.delete(dir.resolve("text_encoder_2/model.onnx"));
    String message = loadError(dir);
    assertTrue(message.contains("SDXL pipeline but has no text_encoder_2/model.onnx"), message);
  }

  @Test
  void sdxlUnetWithoutTheSecondEncoderFolderIsNamed() throws IOException {
    Path dir = copyOf("tiny-sdxl");
    Files.writeString(dir.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionPipeline\"}");
    deleteTree(dir.resolve("text_encoder_2"));
    String message = loadError(dir);
    assertTrue(message.contains("text_embeds/time_ids") && message.contains("text_encoder_2/"), message);
  }

  @Test
  void float16SdxlVaeThatAsksForFloat32IsRefusedNamingTheFp16FixVae() throws IOException {
    Path dir = copyOf("tiny-sdxl");
    Files.copy(TinyModels.path("tiny-sd-fp16").resolve("vae_decoder/model.onnx"), dir.resolve("vae_decoder/model.onnx"),
        StandardCopyOption.REPLACE_EXISTING);
    String message = loadError(dir);
    assertTrue(message.contains("force_upcast") && message.contains("madebyollin/sdxl-vae-fp16-fix"), message);
    assertTrue(message.contains("vae_decoder/model.onnx") && message.contains("float16"), message);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void gpuWithoutTheGpuBuildOfOnnxRuntimeSaysWhichJarToUse() {
    String message = loadError(TinyModels.options("tiny-sd").withGpu(0));
    assertTrue(message.contains("onnxruntime_gpu"), message);
    assertTrue(message.contains("GPU 0"), message);
  }
}
