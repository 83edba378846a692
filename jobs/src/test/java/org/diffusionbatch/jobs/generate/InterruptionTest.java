package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.jobs.generate.output.OutputLease;
import org.diffusionbatch.jobs.model.ImageMaker;
import org.diffusionbatch.jobs.model.ImageMakerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run stopped by SIGTERM or SIGINT (a real child JVM) says it was interrupted and how to resume,
 * records itself as interrupted, releases the output, and keeps its finished commits; a run that
 * fails records itself as failed; an S3 store that is down shows each retry as it happens.
 */
class InterruptionTest {
  @TempDir Path dir;

  @Test
  void sigtermMidRunRecordsInterruptedPrintsTheResumeCommandAndTheResumeCompletesTheDataset() throws Exception {
    stopMidRun("TERM", 143);
  }

  @Test
  void sigintMidRunRecordsInterruptedPrintsTheResumeCommandAndTheResumeCompletesTheDataset() throws Exception {
    stopMidRun("INT", 130);
  }

  private void stopMidRun(String signal, int expectedExit) throws Exception {
    Path prompts = Runs.promptFile(dir, "a red circle number", 12);
    Path out = dir.resolve("out");
    List<String> args = new ArrayList<>(List.of("--prompts", prompts.toString(), "--output", out.toString(),
        "--model", Runs.TINY_SD, "--master", "local[2]", "--steps", "2", "--batch-size", "2", "--partitions", "2",
        "--rows-per-commit", "4", "--run-id", "stopped"));
    args.addAll(Runs.QUIET);
    Path manifest = out.resolve("_runs/stopped.json");
    try (ChildJvm child = ChildJvm.start(dir.resolve("child"), SlowGenerateMain.class.getName(),
        List.of("-Ddiffusionbatch.test.batchMillis=1500"), args)) {
      child.awaitCondition("the first commit", Duration.ofMinutes(4), () -> commitsDone(manifest) >= 1);
      child.signal(signal);
      assertEquals(expectedExit, child.awaitExit(Duration.ofMinutes(2)), child.output());
      String err = child.stderr();
      Matcher said = Pattern.compile("generate: run stopped was interrupted by SIG" + signal
          + " after (\\d) of 3 commits \\((\\d+) images made; finished commits are kept\\)\\. To make the rest: "
          + "\\./diffusion-batch generate (.*) --resume\\n").matcher(err);
      assertTrue(said.find(), err);
      assertFalse(said.group(3).contains("--run-id"), "a run id names one run: " + said.group(3));
      assertFalse(err.contains("INTERNAL_ERROR") || err.contains("You hit a bug") || err.contains("NullPointerException"), err);

      JsonNode recorded = new ObjectMapper().readTree(manifest.toFile());
      assertEquals("interrupted", recorded.get("status").asText());
      assertEquals("stopped by SIG" + signal, recorded.get("error").asText());
      assertEquals(Integer.parseInt(said.group(1)), recorded.get("commits").get("done").asInt());
      assertFalse(Files.exists(out.resolve(OutputLease.FILE_NAME)), "the lease is released");
      assertFalse(Files.exists(out.resolve("_SUCCESS")), "no _SUCCESS: the manifest marks completion");
    }
    int made = Outputs.promptIdsExactlyOnce(out).size();
    assertTrue(made >= 1 && made < 12, "finished commits are kept, the rest is not made yet: " + made);

    List<String> resume = new ArrayList<>(args.subList(0, args.indexOf("--run-id")));
    resume.add("--resume");
    assertEquals(GenerateCommand.EXIT_OK, Runs.generate(resume.toArray(String[]::new)));
    assertEquals(12, Outputs.promptIdsExactlyOnce(out).size());
  }

  private static int commitsDone(Path manifest) {
    try {
      JsonNode commits = new ObjectMapper().readTree(manifest.toFile()).get("commits");
      return commits == null ? 0 : commits.get("done").asInt();
    } catch (Exception notYet) {
      return 0;
    }
  }

  @Test
  void aRunThatFailsRecordsFailedWithTheCauseAndSaysHowToMakeTheRest() throws Exception {
    Path prompts = Runs.promptFile(dir, "a blue square number", 4);
    Path out = dir.resolve("out");
    Probe probe = Probe.run(new Broken(), "--prompts", prompts.toString(), "--output", out.toString(), "--model", Runs.TINY_SD,
        "--master", "local[1]", "--run-id", "broken");
    assertEquals(GenerateCommand.EXIT_FAILED, probe.code(), probe.toString());
    assertTrue(probe.err().contains("generate: run broken failed after 0 of 1 commits (0 images made; finished commits are kept): ")
        && probe.err().contains("the GPU fell off the bus")
        && probe.err().contains("When the cause is fixed, make the rest with: ./diffusion-batch generate --prompts"), probe.toString());
    JsonNode recorded = new ObjectMapper().readTree(out.resolve("_runs/broken.json").toFile());
    assertEquals("failed", recorded.get("status").asText());
    assertTrue(recorded.get("error").asText().contains("the GPU fell off the bus"), recorded.toString());
    assertFalse(Files.exists(out.resolve(OutputLease.FILE_NAME)), "the lease is released");
  }

  /** A model whose every call throws (a device failure, not a bad row). */
  private static final class Broken implements ImageMakerFactory {
    @Override
    public String key(Integer gpu) {
      return "broken";
    }

    @Override
    public ImageMaker load(Integer gpu) {
      ImageMaker tiny = GenerateJob.pipelineFactory(Runs.options("--prompts", "p.txt", "--output", "o", "--model", Runs.TINY_SD)).load(gpu);
      return new DelegatingImageMaker(tiny) {
        @Override
        public List<GenerationResult> generate(GenerationSettings settings, List<GenerationRequest> requests) {
          throw new IllegalStateException("the GPU fell off the bus");
        }
      };
  }
  }

  @Test
  void anS3StoreThatIsDownShowsEachRetryAsItHappensAndEndsInOneLine() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    List<String> args = new ArrayList<>(List.of("generate", "--prompts", "s3://data/p.txt", "--output", dir.resolve("out").toString(),
        "--model", Runs.TINY_SD, "--master", "local[1]", "--s3-endpoint", "http://127.0.0.1:" + closedPort, "--s3-region", "us-east-1",
        "--s3-path-style", "--conf", "spark.hadoop.fs.s3a.access.key=a", "--conf", "spark.hadoop.fs.s3a.secret.key=b",
        "--conf", "spark.hadoop.fs.s3a.retry.limit=2", "--conf", "spark.hadoop.fs.s3a.retry.interval=10ms",
        "--conf", "spark.hadoop.fs.s3a.attempts.maximum=1", "--conf", "spark.hadoop.fs.s3a.connection.ssl.enabled=false"));
    args.addAll(Runs.QUIET);
    try (ChildJvm child = ChildJvm.start(dir.resolve("console"), org.diffusionbatch.jobs.cli.DiffusionBatchCli.class.getName(),
        List.of(), args)) {
      assertEquals(GenerateCommand.EXIT_BAD_ARGUMENTS, child.awaitExit(Duration.ofMinutes(3)), child.output());
      String err = child.stderr();
      assertTrue(Pattern.compile("DEBUG Invoker: .* retry #1\n").matcher(err).find(), "retries are logged: " + err);
      assertTrue(err.contains("generate: --prompts s3a://data/p.txt: cannot reach the store to read it; check --s3-endpoint and the network"),
          err);
      assertFalse(Files.exists(dir.resolve("out")));
    }
  }
}
