package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.example.data.Group;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionbatch.jobs.spark.StorageUris;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --resume fills in what an earlier run left out, with the images a single run makes. */
class ResumeTest {
  @TempDir Path dir;

  @Test
  void aResumedRunMakesOnlyTheMissingIdsAndByteIdenticalImages() throws Exception {
    Path all = dir.resolve("all.parquet");
    Path half = dir.resolve("half.parquet");
    writePrompts(all, 8);
    writePrompts(half, 4);
    String[] common = {"--model", Runs.TINY_SD, "--master", "local[2]", "--steps", "2", "--batch-size", "3", "--seed", "11"};

    Path single = dir.resolve("single");
    assertEquals(GenerateCommand.EXIT_OK, Runs.generate(concat(common, "--prompts", all.toString(), "--output", single.toString())));
    // A run that got through half the table, then the same table again with --resume.
    Path resumed = dir.resolve("resumed");
    assertEquals(GenerateCommand.EXIT_OK, Runs.generate(concat(common, "--prompts", half.toString(), "--output", resumed.toString())));
    assertEquals(GenerateCommand.EXIT_OK, Runs.generate(concat(common, "--prompts", all.toString(), "--output", resumed.toString(),
        "--resume", "--run-id", "again", "--partitions", "3")));

    assertEquals(8, Outputs.promptIdsExactlyOnce(resumed).size());
    assertEquals(sha256ById(single), sha256ById(resumed));
    JsonNode counts = new ObjectMapper().readTree(resumed.resolve("_runs/again.json").toFile()).get("counts");
    assertEquals(8, counts.get("input").asLong());
    assertEquals(4, counts.get("skipped_by_resume").asLong());
    assertEquals(4, counts.get("made").asLong());
  }

  @Test
  void aResumeInSeveralCommitsReadsTheInputAndTheOutputOnlyWhilePlanning() throws Exception {
    Path all = dir.resolve("all.parquet");
    Path half = dir.resolve("half.parquet");
    writePrompts(all, 12);
    writePrompts(half, 6);
    String[] common = {"--model", Runs.TINY_SD, "--master", "local[2]", "--steps", "1", "--batch-size", "2", "--seed", "5"};
    Path out = dir.resolve("out");
    assertEquals(GenerateCommand.EXIT_OK, Runs.generate(concat(common, "--prompts", half.toString(), "--output", out.toString())));

    CommitFileScans.reset();
    assertEquals(GenerateCommand.EXIT_OK, Runs.generate(concat(common, "--prompts", all.toString(), "--output", out.toString(),
        "--resume", "--run-id", "again", "--rows-per-commit", "2", "--conf", "spark.extraListeners=" + CommitFileScans.NAME)));

    assertEquals(12, Outputs.promptIdsExactlyOnce(out).size());
    List<String> stages = new ArrayList<>(CommitFileScans.STAGES);
    // Three commits, each a job named for it; none of them reads the prompts or the output's ids again:
    // each commit's slice comes from the rows planned once (each commit's write used to throw the cached
    // plan away, as it reads the output it writes to, and the input was joined against the output again).
    assertEquals(3, stages.stream().map(s -> s.substring(0, s.indexOf(": stage"))).distinct().count(), stages.toString());
    assertTrue(stages.stream().allMatch(s -> s.endsWith(" scanned 0")), stages.toString());
  }

  @Test
  void resumeRefusesOtherSettingsAnotherModelOrAReusedRunIdAndRecordsEachFailedAttemptOnce() throws Exception {
    Path prompts = java.nio.file.Files.writeString(dir.resolve("p.jsonl"), String.join("\n",
        "{\"prompt_id\": \"ok\", \"prompt\": \"a red circle\"}",
        "{\"prompt_id\": \"zero\", \"prompt\": \"a blue square\", \"steps\": 0}",
        "{\"prompt_id\": \"twice\", \"prompt\": \"a green triangle\"}",
        "{\"prompt_id\": \"twice\", \"prompt\": \"a yellow star\"}") + "\n");
    Path out = dir.resolve("out");
    String[] common = {"--prompts", prompts.toString(), "--output", out.toString(), "--master", "local[1]", "--seed", "3"};
    String legacy = Path.of("models", "tiny-sd-legacy").toAbsolutePath().toString();
    assertEquals(GenerateCommand.EXIT_SOME_ROWS_FAILED,
        Probe.run(concat(common, "--model", Runs.TINY_SD, "--steps", "2", "--run-id", "first")).code());

    Probe otherSettings = Probe.run(concat(common, "--model", Runs.TINY_SD, "--steps", "3", "--guidance", "5", "--resume"));
    assertEquals(GenerateCommand.EXIT_BAD_ARGUMENTS, otherSettings.code(), otherSettings.toString());
    assertTrue(otherSettings.err().contains("--resume: --output " + StorageUris.forSpark("--output", out.toString())
        + " was made with other settings than this run's: --steps 3 (was 2 in run first), --guidance 5.0 (was 7.5 in run first)."),
        otherSettings.toString());
    Probe otherModel = Probe.run(concat(common, "--model", legacy, "--steps", "2", "--resume"));
    assertEquals(GenerateCommand.EXIT_BAD_ARGUMENTS, otherModel.code(), otherModel.toString());
    assertTrue(otherModel.err().contains("--model (digest) ") && otherModel.err().contains("in run first)")
        && otherModel.err().contains("--resume-with-new-settings"), otherModel.toString());
    Probe reusedId = Probe.run(concat(common, "--model", Runs.TINY_SD, "--steps", "2", "--resume", "--run-id", "first"));
    assertEquals(GenerateCommand.EXIT_BAD_ARGUMENTS, reusedId.code(), reusedId.toString());
    assertTrue(reusedId.err().contains("--run-id first: --output ") && reusedId.err().contains("already has a run with this id"),
        reusedId.toString());

    assertEquals(GenerateCommand.EXIT_SOME_ROWS_FAILED,
        Probe.run(concat(common, "--model", Runs.TINY_SD, "--steps", "2", "--resume", "--run-id", "second")).code());
    Probe allowed = Probe.run(concat(common, "--model", Runs.TINY_SD, "--steps", "3", "--resume", "--resume-with-new-settings",
        "--run-id", "third"));
    assertEquals(GenerateCommand.EXIT_SOME_ROWS_FAILED, allowed.code(), allowed.toString());

    List<String> errors = new ArrayList<>();
    for (Group e : Outputs.rows(dir.resolve("out_errors"))) {
      errors.add(e.getString("prompt_id", 0) + " " + e.getString("stage", 0) + " " + e.getString("run_id", 0));
    }
    errors.sort(null);
    // The duplicate is recorded once, by the run that first saw it; the row that cannot be made, once per attempt.
    assertEquals(List.of("twice input first", "zero settings first", "zero settings second", "zero settings third"), errors);
    assertEquals(java.util.Set.of("ok", "twice"), Outputs.promptIdsExactlyOnce(out));
  }

  private static Map<String, String> sha256ById(Path output) throws Exception {
    Map<String, String> byId = new HashMap<>();
    for (Group row : Outputs.rows(output)) {
      byId.put(row.getString("prompt_id", 0), row.getString("image_sha256", 0) + " seed " + row.getLong("seed", 0));
    }
    return byId;
  }

  private static void writePrompts(Path path, int n) {
    StructType schema = new StructType().add("prompt_id", DataTypes.StringType).add("prompt", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    String[] colours = {"red", "green", "blue", "yellow"};
    String[] shapes = {"circle", "square", "triangle"};
    for (int i = 0; i < n; i++) {
      rows.add(RowFactory.create("id-" + i, "a " + colours[i % 4] + " " + shapes[i % 3]));
    }
    SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
    try {
      spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path.toString());
    } finally {
      spark.stop();
    }
  }

  private static String[] concat(String[] first, String... more) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
