package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without --partitions a small prompt file (one split) is spread over every task slot, and the run says how many. */
class DefaultPartitionsTest {
  @TempDir Path dir;

  @Test
  void aSmallTextFileOnLocal2BecomesTwoTasksPerCommitByDefault() throws Exception {
    Path prompts = Runs.promptFile(dir, "a yellow star number", 6);
    Path out = dir.resolve("out");
    Probe probe = Probe.run("--prompts", prompts.toString(), "--output", out.toString(), "--model", Runs.TINY_SD,
        "--master", "local[2]", "--steps", "1", "--batch-size", "2", "--run-id", "slots");
    assertEquals(GenerateCommand.EXIT_OK, probe.code(), probe.toString());
    assertEquals(2, new ObjectMapper().readTree(out.resolve("_runs/slots.json").toFile()).get("partitions").asInt());
    assertTrue(probe.out().contains("  2 partitions (tasks per commit), 1 commits;"), probe.out());
    try (Stream<Path> files = Files.list(out)) {
      // One commit: each of its tasks wrote its own part file.
      assertEquals(2, files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count());
    }
    assertEquals(6, Outputs.promptIdsExactlyOnce(out).size());
  }
}
