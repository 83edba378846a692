package org.diffusionbatch.core.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.diffusionbatch.core.model.DiffusionModel;
import org.diffusionbatch.core.model.ModelDigest;
import org.diffusionbatch.core.model.ModelInfo;
import org.diffusionbatch.core.model.ModelOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Both modes on the bundled tiny models: the copies load, say what they are, and draw nearly the same pictures. */
class QuantizedTinyModelsTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "tiny-sd, weights-int8, 10", "tiny-sd, int8, 10",
      "tiny-sd-fp16, weights-int8, 10",
      "tiny-sd-legacy, weights-int8, 10", "tiny-sd-legacy, int8, 10",
      "tiny-lcm, weights-int8, 4", "tiny-lcm, int8, 4"})
  void quantizedCopyLoadsReportsItsModeAndDrawsThePromptAlmostAsBefore(String name, String mode, int steps) {
    Path source = Quantizing.tiny(name);
    Path out = dir.resolve(name + "-" + mode);
    List<String> parts = QuantizeSettings.ALL_PARTS;
    QuantizationReport report = ModelQuantizer.quantize(mode.equals("int8")
        ? Quantizing.int8(source, out, parts, List.of("a red circle", "a blue square", "a green triangle"), 4)
        : Quantizing.weightsInt8(source, out, parts));

    assertEquals(mode, report.mode());
    assertEquals(ModelDigest.of(source), report.source().digest());
    QuantizationReport.Graph unet = report.graphs().get("unet");
    assertEquals(1, unet.weights().size(), "the tiny UNet's concept matrix is its one MatMul-only weight");
    assertEquals("conditioning.concept_weight", unet.weights().get(0).tensor());
    // The other weights feed ops that are not quantized: listed, not dropped.
    assertTrue(report.graphs().get("text_encoder").skipped().stream().anyMatch(s -> s.op().equals("Gather")));
    assertTrue(report.graphs().get("vae_decoder").skipped().stream().anyMatch(s -> s.op().equals("ConvTranspose")));
    if (mode.equals("int8")) {
      assertTrue(unet.activations().size() >= 2, "activations around the UNet's MatMuls: " + unet.activations().keySet());
      assertTrue(report.calibration().calls().get("unet") > 0);
    }
    try (DiffusionModel model = DiffusionModel.load(ModelOptions.local(out).withThreads(1, 1))) {
      ModelInfo info = model.info();
      assertEquals(mode, info.quantization());
      assertEquals(ModelDigest.of(out), info.digest());
      assertNotEquals(report.source().digest(), info.digest());
    }
    byte[] before = Quantizing.image(source, "a red circle", steps, 128);
    byte[] after = Quantizing.image(out, "a red circle", steps, 128);
    double[] diff = Quantizing.pixelDifference(before, after);
    System.out.printf("QUANTIZE %s %s: unet %d -> %d bytes; pixels mean %.3f max %.0f (of 255)%n", name, mode,
        unet.bytesBefore(), unet.bytesAfter(), diff[0], diff[1]);
    if (mode.equals("weights-int8")) {
      // The concept matrix holds only 0 and 4: 4 / (4/127) = 127 exactly, so INT8 stores it losslessly.
      assertEquals(0.0, diff[1], name + ": weight-only INT8 of exactly representable weights changed the image");
    } else {
      // The analytic UNet is a softmax over latent distances divided by the noise variance (down to
      // 6e-4 at the last steps), so one INT8 step of x.mu moves its logits by hundreds: the picture
      // fades (tiny-sd: mean 58 levels) though its colour and shape stay. A broken graph gives noise or black.
      assertTrue(diff[0] < 80, name + " int8: mean difference " + diff[0]);
    }
  }

  @Test
  void sdxlsSecondTextEncoderIsCalibratedAndQuantizedOnRequestAndTheModelStillDraws() {
    Path source = Quantizing.tiny("tiny-sdxl");
    Path out = dir.resolve("tiny-sdxl-int8");
    QuantizationReport report = ModelQuantizer.quantize(Quantizing.int8(source, out, List.of("text_encoder_2", "unet"),
        List.of("a red circle", "a blue square"), 4));

    assertEquals(List.of("text_encoder_2", "unet"), report.parts());
    assertTrue(report.calibration().calls().get("text_encoder_2") > 0, "calls recorded: " + report.calibration().calls());
    assertTrue(report.graphs().containsKey("text_encoder_2"), "graphs: " + report.graphs().keySet());
    try (DiffusionModel model = DiffusionModel.load(ModelOptions.local(out).withThreads(1, 1))) {
      assertEquals("int8", model.info().quantization());
    }
    byte[] before = Quantizing.image(source, "a red circle", 4, 128);
    byte[] after = Quantizing.image(out, "a red circle", 4, 128);
    double[] diff = Quantizing.pixelDifference(before, after);
    System.out.printf("QUANTIZE tiny-sdxl int8 (text_encoder_2, unet): pixels mean %.3f max %.0f (of 255)%n", diff[0], diff[1]);
    assertTrue(diff[0] < 80, "tiny-sdxl int8: mean difference " + diff[0]);
  }
}
