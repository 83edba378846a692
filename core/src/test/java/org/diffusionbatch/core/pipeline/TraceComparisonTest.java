package org.diffusionbatch.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.diffusionbatch.core.model.ModelOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every stage of the SDXL pipeline against diffusers' trace, not only the final pixels: token ids
 * of both tokenizers, prompt and pooled embeddings (zeroed negatives), time_ids, LCM-SDXL's
 * timestep_cond, initial latents and the latents after every step, within 1e-3.
 */
class TraceComparisonTest {
  private static final Path SHARED =
      Paths.get(System.getProperty("repo.root", "."), "..", "shared", "reference", "pipelines").normalize();

  @ParameterizedTest
  @ValueSource(strings = {"x01", "l01"})
  void sdxlCaseAgreesWithDiffusersAtEveryStage(String id) throws Exception {
    Path file = SHARED.resolve("cases").resolve(id + ".json");
    assumeTrue(Files.isRegularFile(file), () -> {
      System.out.println("trace comparison: " + file + " absent; skipped");
      return file + " absent";
    });
    PipelineCase c = PipelineCase.read(SHARED, file);
    try (TextToImagePipeline pipeline = TextToImagePipeline.load(ModelOptions.local(c.modelDir()).withThreads(2, 1))) {
      String report = TraceComparison.describe(pipeline, c, pipeline.withDefaults(c.settings()));
      System.out.println("  " + id + ":\n      " + report);
      assertTrue(report.contains("input_ids_2 equal") && report.contains("step " + (c.steps() - 1)), report);
      assertFalse(report.contains("departs") || report.contains("DIFFER") || report.contains("not in the trace"), report);
    }
  }
}
