package org.diffusionbatch.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.diffusionbatch.core.metrics.NpzStatistics;
import org.diffusionbatch.core.metrics.GaussianStatistics;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input is refused with exit code 2 and one clear message before any work: nothing is written. */
class SweepBadInputTest {
  @TempDir static Path dir;

  private static Path prompts;
  private static Path reference;

  @BeforeAll
  static void inputs() throws Exception {
    prompts = Sweeps.prompts(dir, 10);
    // Statistics of the tiny feature model's dimension (64): the checks under test must fail before they matter.
    reference = dir.resolve("reference-64.npz");
    NpzStatistics.write(reference, new GaussianStatistics(new double[64], CommonOps_DDRM.identity(64), 100));
  }

  @Test
  void anEmptyGridValueIsRefused() {
    assertRefused("'steps' has an empty value", "--grid", "steps=2,,4");
  }

  @Test
  void anUnknownGridKeyIsRefused() {
    assertRefused("unknown grid key 'schedule'", "--grid", "schedule=karras");
  }

  @Test
  void cellsTheModelCannotRunAreAllListed() {
    String stderr = assertRefused("4 of 6 cells cannot run", "--grid", "sampler=ddim,warp,zoom", "--grid", "steps=2,4");
    for (String cell : List.of("sampler warp, steps 2", "sampler warp, steps 4", "sampler zoom, steps 2", "sampler zoom, steps 4")) {
      assertTrue(stderr.contains(cell), "lists " + cell + ": " + stderr);
    }
  }

  @Test
  void moreImagesPerCellThanPromptsIsRefusedUnlessCyclingIsAsked() {
    assertRefused("--images-per-cell 12 is more than the 10 distinct prompts", "--grid", "steps=2", "--images-per-cell", "12");
  }

  @Test
  void aReferenceOfAnotherFeatureDimensionIsRefusedNamingBoth() throws Exception {
    Path eight = dir.resolve("reference-8.npz");
    NpzStatistics.write(eight, new GaussianStatistics(new double[8], CommonOps_DDRM.identity(8), 100));
    String stderr = assertRefused("holds 8-d features", "--grid", "steps=2", "--reference", eight.toString());
    assertTrue(stderr.contains("64-d"), stderr);
  }

  @Test
  void anOutputThatNoSweepWroteIsLeftAlone() throws Exception {
    Path other = Files.createDirectories(dir.resolve("not-a-sweep"));
    Files.writeString(other.resolve("precious.txt"), "keep me");
    Sweeps.Result run = Sweeps.run(ModelLoaders.REAL, args(other, "--grid", "steps=2", "--overwrite"));
    assertEquals(SweepCommand.EXIT_BAD_ARGUMENTS, run.exitCode(), run.stderr());
    assertTrue(run.stderr().contains("no sweep wrote it"), run.stderr());
    assertEquals("keep me", Files.readString(other.resolve("precious.txt")));
  }

  private static String assertRefused(String message, String... extra) {
    Path output = dir.resolve("out-" + System.nanoTime());
    Sweeps.Result run = Sweeps.run(ModelLoaders.REAL, args(output, extra));
    assertEquals(SweepCommand.EXIT_BAD_ARGUMENTS, run.exitCode(), run.stderr());
    assertTrue(run.stderr().contains(message), "expected '" + message + "' in: " + run.stderr());
    assertTrue(Files.notExists(output), "nothing written to " + output);
    return run.stderr();
  }

  /** Base arguments; an option in extra replaces the base's. */
  private static String[] args(Path output, String... extra) {
    List<String> base = List.of("--prompts", prompts.toString(), "--output", output.toString(), "--features",
        Sweeps.TINY_FEATURES, "--reference", reference.toString(), "--images-per-cell", "8", "--error-groups", "2");
    List<String> given = Arrays.asList(extra);
    List<String> all = new ArrayList<>();
    for (int i = 0; i < base.size(); i += 2) {
      if (!given.contains(base.get(i))) {
        all.add(base.get(i));
        all.add(base.get(i + 1));
      }
    }
    all.addAll(given);
    return all.toArray(String[]::new);
  }
}
