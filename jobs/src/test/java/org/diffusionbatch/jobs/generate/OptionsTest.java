package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.diffusionbatch.jobs.cli.DiffusionBatchCli;
import org.diffusionbatch.jobs.prompts.PromptFormat;
import org.diffusionbatch.jobs.spark.Device;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Argument checks that need neither Spark nor a model. */
class OptionsTest {

  private static GenerateOptions parse(boolean sparkSubmit, String... args) {
    GenerateCommand command = new GenerateCommand(sparkSubmit);
    new CommandLine(command).parseArgs(args);
    return command.toOptions(List.of(args));
  }

  @Test
  void defaultsFollowTheContract() {
    GenerateOptions o = parse(false, "--prompts", "p.txt", "--output", "out");
    assertEquals(8, o.batchSize());
    assertEquals(5000, o.maxRecordsPerFile());
    assertEquals("local[*]", o.master());
    assertEquals(Device.AUTO, o.device());
    assertEquals(PromptFormat.TEXT, o.promptsFormat());
    assertTrue(o.output().startsWith("file:/") && o.errorsOutput().equals(o.output() + "_errors"), o.errorsOutput());
    assertTrue(o.model().endsWith("models/tiny-sd"), o.model());
    assertTrue(o.runId().matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}"), o.runId());
    assertEquals(null, o.steps());
    assertEquals(0, o.gpuRunsPerGraph());
    assertEquals(1, parse(false, "--prompts", "p.txt", "--output", "out", "--gpu-runs-per-graph", "1").gpuRunsPerGraph());
  }

  @Test
  void s3UrisBecomeS3aForSparkAndSamplerOptionsAreTyped() {
    GenerateOptions o = parse(false, "--prompts", "s3://b/p.jsonl", "--output", "s3://b/out/", "--model", "s3://m/tiny/",
        "--sampler-option", "use_karras_sigmas=true", "--sampler-option", "eta=0.5", "--sampler-option", "steps_offset=1",
        "--sampler-option", "timestep_spacing=trailing");
    assertEquals("s3a://b/p.jsonl", o.prompts());
    assertEquals("s3a://b/out_errors", o.errorsOutput());
    assertEquals(PromptFormat.JSONL, o.promptsFormat());
    assertEquals(Map.of("use_karras_sigmas", true, "eta", 0.5, "steps_offset", 1L, "timestep_spacing", "trailing"), o.samplerOptions());
  }

  @Test
  void badValuesAreRejectedNamingTheOption() {
    assertMessage("--batch-size", () -> parse(false, "--prompts", "p.txt", "--output", "o", "--batch-size", "0"));
    assertMessage("--prompts-format", () -> parse(false, "--prompts", "p.txt", "--output", "o", "--prompts-format", "xml"));
    assertMessage("--prompts", () -> parse(false, "--prompts", "p.xml", "--output", "o"));
    assertMessage("--output", () -> parse(false, "--prompts", "p.txt", "--output", "hdfs://nn/o"));
    assertMessage("--device", () -> parse(false, "--prompts", "p.txt", "--output", "o", "--device", "tpu"));
    assertMessage("--master", () -> parse(true, "--prompts", "p.txt", "--output", "o", "--master", "local[2]"));
    assertMessage("--errors-output", () -> parse(false, "--prompts", "p.txt", "--output", "o", "--errors-output", "o"));
    assertMessage("--gpu-runs-per-graph", () -> parse(false, "--prompts", "p.txt", "--output", "o", "--gpu-runs-per-graph", "-1"));
  }

  @Test
  void resumeAndOverwriteTogetherExitWith2BeforeAnyWork() {
    StringWriter err = new StringWriter();
    CommandLine cli = DiffusionBatchCli.commandLine().setErr(new PrintWriter(err));
    int code = cli.execute("generate", "--prompts", "p.txt", "--output", "o", "--resume", "--overwrite");
    assertEquals(GenerateCommand.EXIT_BAD_ARGUMENTS, code);
    assertTrue(err.toString().contains("mutually exclusive"), err.toString());
  }

  private static void assertMessage(String option, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(option), e.getMessage());
  }
}
