package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.diffusionbatch.jobs.testing.LocalClusterHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job on two executor JVMs (local-cluster): one model load per executor, and an executor killed mid-job loses nothing. */
class ClusterFaultsTest {
  @TempDir Path dir;

  @Test
  void eachExecutorLoadsTheModelOnceAndAKilledExecutorLeavesEveryPromptOnce() throws Exception {
    Path prompts = Runs.promptFile(dir, "prompt number", 12);
    Path out = dir.resolve("out");
    Path loads = dir.resolve("loads");
    List<String> args = new ArrayList<>(List.of(
        "--prompts", prompts.toString(), "--output", out.toString(), "--master", "local-cluster[2,1,1024]",
        "--model", Runs.TINY_SD, "--steps", "2", "--partitions", "4", "--batch-size", "2",
        "--conf", FaultInjection.CONF,
        "--conf", "diffusionbatch.test.haltOnceMarker=" + dir.resolve("halted"),
        "--conf", "diffusionbatch.test.markerDir=" + loads,
        "--conf", "spark.task.maxFailures=4"));
    args.addAll(LocalClusterHome.executorConf());
    int code;
    try (LocalClusterHome home = LocalClusterHome.build().activate()) {
      code = Runs.generate(args.toArray(String[]::new));
    }
    assertEquals(GenerateCommand.EXIT_OK, code);
    assertTrue(Files.exists(dir.resolve("halted")), "an executor was halted mid-job");
    assertEquals(12, Outputs.promptIdsExactlyOnce(out).size());

    Map<String, Long> loadsPerPid = Files.readAllLines(loads.resolve("loads.txt")).stream()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    loadsPerPid.remove(Long.toString(ProcessHandle.current().pid()));
    assertTrue(loadsPerPid.size() >= 2, "models loaded in executor JVMs " + loadsPerPid.keySet());
    loadsPerPid.forEach((pid, n) -> assertEquals(1L, n, "model loads in executor JVM " + pid));
  }
}
