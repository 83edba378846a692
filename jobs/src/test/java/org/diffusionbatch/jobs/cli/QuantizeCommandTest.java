package org.diffusionbatch.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./diffusion-batch quantize} as a user runs it: exit codes, messages, the sidecar. */
class QuantizeCommandTest {
  private static final String TINY_SD = Path.of("models", "tiny-sd").toAbsolutePath().toString();
  @TempDir Path dir;

  private int run(StringWriter err, String... args) {
    CommandLine cli = DiffusionBatchCli.commandLine().setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void int8FromAPromptFileWritesTheSidecarWithTheCalibrationUsed() throws Exception {
    Path prompts = Files.write(dir.resolve("calibration.txt"), List.of("a red circle", "", "a blue square"));
    Path out = dir.resolve("tiny-sd-int8");
    StringWriter err = new StringWriter();
    int code = run(err, "quantize", "--model", TINY_SD, "--output", out.toString(), "--mode", "int8",
        "--calibration-prompts", prompts.toString(), "--calibration-steps", "3", "--calibration-method", "percentile",
        "--percentile", "99.9", "--threads", "1");
    assertEquals(0, code, err.toString());
    JsonNode sidecar = new ObjectMapper().readTree(out.resolve("quantization.json").toFile());
    assertEquals("int8", sidecar.get("mode").asText());
    assertEquals(List.of("a red circle", "a blue square"),
        List.of(sidecar.at("/calibration/prompts/0").asText(), sidecar.at("/calibration/prompts/1").asText()));
    assertEquals(3, sidecar.at("/calibration/steps").asInt());
    assertEquals("percentile", sidecar.at("/calibration/method").asText());
    assertEquals(99.9, sidecar.at("/calibration/percentile").asDouble());
    // 2 prompts x 3 steps, one UNet call per step (the CFG pair goes in one batch)
    assertEquals(6, sidecar.at("/calibration/calls/unet").asInt());
    assertTrue(sidecar.at("/graphs/unet/quantized_activations").size() > 0);
  }

  @Test
  void anExistingOutputExitsWith2AndIsNotTouched() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    StringWriter err = new StringWriter();
    int code = run(err, "quantize", "--model", TINY_SD, "--output", out.toString(), "--mode", "weights-int8");
    assertEquals(2, code);
    assertTrue(err.toString().contains("already exists"), err.toString());
    try (var files = Files.list(out)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void int8WithoutPromptsExitsWith2() {
    StringWriter err = new StringWriter();
    int code = run(err, "quantize", "--model", TINY_SD, "--output", dir.resolve("o").toString(), "--mode", "int8");
    assertEquals(2, code);
    assertTrue(err.toString().contains("--calibration-prompts"), err.toString());
    assertFalse(Files.exists(dir.resolve("o")));
  }

  @Test
  void aMissingPromptFileAndAnUnknownModeExitWith2() {
    StringWriter err = new StringWriter();
    assertEquals(2, run(err, "quantize", "--model", TINY_SD, "--output", dir.resolve("o").toString(), "--mode", "int8",
        "--calibration-prompts", dir.resolve("none.txt").toString()));
    assertTrue(err.toString().contains("none.txt does not exist"), err.toString());
    assertEquals(2, run(err, "quantize", "--model", TINY_SD, "--output", dir.resolve("o").toString(), "--mode", "int4"));
    assertTrue(err.toString().contains("'int4' is not one of weights-int8, int8"), err.toString());
  }
}
