package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
