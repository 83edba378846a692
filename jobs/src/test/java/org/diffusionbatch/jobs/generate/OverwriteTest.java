package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionbatch.jobs.spark.StorageUris;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --overwrite deletes only a dataset this job wrote: never the prompts, someone's folder, a plain file or another dataset. */
class OverwriteTest {
  @TempDir Path dir;

  @Test
  void overwriteRefusesWithExit2AndDeletesNothingThatTheJobDidNotWrite() throws Exception {
    Path holder = Files.createDirectories(dir.resolve("d"));
    Path prompts = Files.write(holder.resolve("prompts.txt"), List.of("a red circle"));
    Path theirs = Files.createDirectories(dir.resolve("theirs"));
    Files.writeString(theirs.resolve("keep.txt"), "user data");
    Files.createDirectories(theirs.resolve("notes"));
    Files.writeString(theirs.resolve("notes/a.txt"), "more user data");
    Path file = Files.writeString(dir.resolve("file.out"), "not a dataset");
    Path foreign = dir.resolve("foreign");
    SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
    try {
      StructType schema = new StructType().add("id", DataTypes.LongType).add("text", DataTypes.StringType);
      spark.createDataFrame(List.of(RowFactory.create(1L, "someone's row")), schema).write().parquet(foreign.toString());
    } finally {
      spark.stop();
    }
    Set<Path> before = tree(dir);

    String[][] cases = {
      {"--prompts", prompts.toString(), "--output", holder.toString()},
      {"--prompts", prompts.toString(), "--output", dir.toString()},
      {"--prompts", prompts.toString(), "--output", theirs.toString()},
      {"--prompts", prompts.toString(), "--output", file.toString()},
      {"--prompts", prompts.toString(), "--output", foreign.toString()},
      {"--prompts", prompts.toString(), "--output", dir.resolve("fresh").toString(), "--errors-output", theirs.toString()},
    };
    String[] says = {
      "--output " + StorageUris.forSpark("--output", holder.toString()) + " holds --prompts",
      "holds --prompts",
      "--overwrite refused: --output " + StorageUris.forSpark("--output", theirs.toString())
          + " holds 2 entries this job does not write (keep.txt, notes/)",
      "is a file, not a folder",
      "--overwrite refused: --output " + StorageUris.forSpark("--output", foreign.toString())
          + " has neither a run manifest (_runs/*.json) nor Parquet files with the job's images dataset columns",
      "--overwrite refused: --errors-output " + StorageUris.forSpark("--errors-output", theirs.toString()) + " holds 2 entries",
    };
    for (int i = 0; i < cases.length; i++) {
      List<String> args = new ArrayList<>(List.of(cases[i]));
      args.addAll(List.of("--overwrite", "--model", Runs.TINY_SD, "--master", "local[1]"));
      Probe probe = Probe.run(args.toArray(String[]::new));
      assertEquals(GenerateCommand.EXIT_BAD_ARGUMENTS, probe.code(), probe.toString());
      assertTrue(probe.err().contains(says[i]), "case " + i + ": " + probe);
      assertTrue(probe.saidOneLine(), "one line: " + probe);
      assertEquals(before, tree(dir), "case " + i + " changed nothing");
    }
    assertEquals("not a dataset", Files.readString(file));
  }

  @Test
  void overwriteReplacesADatasetThisJobWroteAndItsErrorsDataset() throws Exception {
    Path first = Files.writeString(dir.resolve("first.jsonl"), "{\"prompt_id\": \"old\", \"prompt\": \"a red circle\"}\n"
        + "{\"prompt_id\": \"bad\", \"prompt\": \"\"}\n");
    Path second = Files.writeString(dir.resolve("second.jsonl"), "{\"prompt_id\": \"new\", \"prompt\": \"a blue square\"}\n");
    Path out = dir.resolve("out");
    String[] common = {"--model", Runs.TINY_SD, "--master", "local[1]", "--steps", "1", "--output", out.toString()};
    assertEquals(GenerateCommand.EXIT_SOME_ROWS_FAILED, Probe.run(concat(common, "--prompts", first.toString(), "--run-id", "one")).code());
    assertTrue(Files.isDirectory(dir.resolve("out_errors")));

    Probe replaced = Probe.run(concat(common, "--prompts", second.toString(), "--run-id", "two", "--overwrite"));
    assertEquals(GenerateCommand.EXIT_OK, replaced.code(), replaced.toString());
    assertEquals(Set.of("new"), Outputs.promptIdsExactlyOnce(out));
    assertFalse(Files.exists(dir.resolve("out_errors")), "the old errors dataset is gone");
    try (Stream<Path> runs = Files.list(out.resolve("_runs"))) {
      assertEquals(List.of("two.json"), runs.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList());
    }
  }

  private static Set<Path> tree(Path root) throws Exception {
    try (Stream<Path> paths = Files.walk(root)) {
      return new java.util.TreeSet<>(paths.toList());
    }
  }

  private static String[] concat(String[] first, String... more) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
