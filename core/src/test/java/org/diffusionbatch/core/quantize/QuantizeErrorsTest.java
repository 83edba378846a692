package org.diffusionbatch.core.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.diffusionbatch.core.model.ModelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What quantize refuses, with a message that says what to do, and that a refused run writes nothing. */
class QuantizeErrorsTest {
  @TempDir Path dir;

  @Test
  void anOutputFolderThatExistsIsRefusedAndLeftAsItWas() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelQuantizer.quantize(Quantizing.weightsInt8(Quantizing.tiny("tiny-sd"), out, null)));
    assertTrue(e.getMessage().contains("already exists") && e.getMessage().contains("nothing was written"), e.getMessage());
    assertEquals(List.of("keep.txt"), names(out));
    assertEquals(List.of("out"), names(dir));
  }

  @Test
  void aModelWithAQuantizationSidecarIsRefused() {
    Path once = dir.resolve("once");
    ModelQuantizer.quantize(Quantizing.weightsInt8(Quantizing.tiny("tiny-sd"), once, null));
    ModelException e = assertThrows(ModelException.class,
        () -> ModelQuantizer.quantize(Quantizing.weightsInt8(once, dir.resolve("twice"), null)));
    assertTrue(e.getMessage().contains("already quantized") && e.getMessage().contains("mode weights-int8"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("twice")));
  }

  @Test
  void aGraphWithDequantizeLinearIsRefusedEvenWithoutTheSidecar() throws Exception {
    Path once = dir.resolve("once");
    ModelQuantizer.quantize(Quantizing.weightsInt8(Quantizing.tiny("tiny-sd"), once, null));
    Files.delete(once.resolve("quantization.json"));
    ModelException e = assertThrows(ModelException.class,
        () -> ModelQuantizer.quantize(Quantizing.weightsInt8(once, dir.resolve("twice"), null)));
    assertTrue(e.getMessage().contains("unet/model.onnx") && e.getMessage().contains("DequantizeLinear"), e.getMessage());
  }

  @Test
  void int8WithoutCalibrationPromptsIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Quantizing.int8(Quantizing.tiny("tiny-sd"), dir.resolve("out"), null, List.of(), 4));
    assertTrue(e.getMessage().contains("--calibration-prompts"), e.getMessage());
  }

  @Test
  void calibrationOptionsWithWeightOnlyQuantizationAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new QuantizeSettings("m", dir.resolve("out"), QuantizationMode.WEIGHTS_INT8, null, List.of("a cat"), null,
            null, null, QuantizeSettings.DEFAULT_PERCENTILE, false, 0, null, null));
    assertTrue(e.getMessage().contains("int8 only"), e.getMessage());
  }

  @Test
  void anUnknownPartIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Quantizing.weightsInt8(Quantizing.tiny("tiny-sd"), dir.resolve("out"), List.of("unet", "vae")));
    assertTrue(e.getMessage().contains("'vae'"), e.getMessage());
  }

  @Test
  void aSecondTextEncoderOfAModelWithoutOneIsRefusedNamingIt() {
    ModelException e = assertThrows(ModelException.class,
        () -> ModelQuantizer.quantize(Quantizing.weightsInt8(Quantizing.tiny("tiny-sd"), dir.resolve("out"), List.of("unet", "text_encoder_2"))));
    assertTrue(e.getMessage().contains("--parts text_encoder_2") && e.getMessage().contains("only SDXL-style exports"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("out")));
  }

  @Test
  void anUnreadableGraphIsRefusedAndNothingIsLeftBehind() throws Exception {
    Path broken = copy(Quantizing.tiny("tiny-sd"), dir.resolve("broken"));
    Files.write(broken.resolve("unet/model.onnx"), new byte[] {0x0a, (byte) 0xff, 0x13, 0x7f});
    Path out = dir.resolve("out");
    ModelException e = assertThrows(ModelException.class,
        () -> ModelQuantizer.quantize(Quantizing.weightsInt8(broken, out, null)));
    assertTrue(e.getMessage().contains("unet/model.onnx") && e.getMessage().contains("not an ONNX model"), e.getMessage());
    assertEquals(List.of("broken"), names(dir));
  }

  @Test
  void aFolderThatIsNoModelIsRefused() {
    ModelException e = assertThrows(ModelException.class,
        () -> ModelQuantizer.quantize(Quantizing.weightsInt8(dir.resolve("nothing"), dir.resolve("out"), null)));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void int8OfAFloat16ModelIsRefusedPointingToTheFloat32Export() {
    ModelException e = assertThrows(ModelException.class, () -> ModelQuantizer.quantize(
        Quantizing.int8(Quantizing.tiny("tiny-sd-fp16"), dir.resolve("out"), null, List.of("a red circle"), 2)));
    assertTrue(e.getMessage().contains("float16") && e.getMessage().contains("float32 export"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("out")));
  }

  private static List<String> names(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    return to;
  }
}
