package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.diffusionbatch.core.model.ModelDigest;
import org.diffusionbatch.core.quantize.ModelQuantizer;
import org.diffusionbatch.core.quantize.QuantizationMode;
import org.diffusionbatch.core.quantize.QuantizeSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A quantized folder runs in generate like any model, and each row names it and the digest of its files. */
class QuantizedModelGenerateTest {
  @TempDir Path dir;

  @Test
  void rowsOfAQuantizedModelCarryItsUriAndTheDigestOfTheQuantizedFiles() throws Exception {
    Path quantized = dir.resolve("tiny-sd-w8");
    ModelQuantizer.quantize(new QuantizeSettings(Runs.TINY_SD, quantized, QuantizationMode.WEIGHTS_INT8, null, null, null,
        null, null, QuantizeSettings.DEFAULT_PERCENTILE, false, 1, null, null));
    Path out = dir.resolve("out");
    int code = Runs.generate("--prompts", Runs.promptFile(dir, "a red circle", 3).toString(), "--output", out.toString(),
        "--model", quantized.toString(), "--master", "local[1]", "--steps", "2", "--run-id", "w8");
    assertEquals(GenerateCommand.EXIT_OK, code);
    String digest = ModelDigest.of(quantized);
    List<Group> rows = Outputs.rows(out);
    assertEquals(3, rows.size());
    for (Group row : rows) {
      assertEquals(quantized.toString(), row.getString("model", 0));
      assertEquals(digest, row.getString("model_digest", 0));
    }
    assertEquals(digest, new ObjectMapper().readTree(out.resolve("_runs/w8.json").toFile()).get("model_digest").asText());
  }
}
