package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.parquet.example.data.Group;
import org.diffusionbatch.jobs.dataset.ImageRows;
import org.diffusionbatch.jobs.model.ExecutorModels;
import org.diffusionbatch.jobs.prompts.StableIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job end to end on local[2] with the real pipeline and the repository's tiny model. */
class GenerateEndToEndTest {
  @TempDir Path dir;

  @Test
  void textPromptsBecomeOneRowEachWithAPngOfTheModelsSizeAndTheFullSchemaInTwoCommits() throws Exception {
    Path prompts = dir.resolve("prompts.txt");
    List<String> lines = List.of("a red circle", "a blue square", "", "a green triangle", "a yellow circle", "a red square",
        "a blue triangle");
    Files.write(prompts, lines);
    Path out = dir.resolve("out");
    int code = Runs.generate("--prompts", prompts.toString(), "--output", out.toString(), "--model", Runs.TINY_SD,
        "--master", "local[2]", "--steps", "2", "--batch-size", "2", "--partitions", "2", "--seed", "5", "--run-id", "first",
        "--rows-per-commit", "4");
    assertEquals(GenerateCommand.EXIT_OK, code);
    try (var files = Files.list(out)) {
      // Spark names a write's files part-NNNNN-<write uuid>-c000...: 6 rows at 4 per commit are two writes.
      assertEquals(2, files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".parquet"))
          .map(f -> f.substring(11, 47)).distinct().count());
    }

    List<Group> rows = Outputs.rows(out);
    assertEquals(6, Outputs.promptIdsExactlyOnce(out).size());
    List<String> columns = new ArrayList<>();
    rows.get(0).getType().getFields().forEach(f -> columns.add(f.getName()));
    assertEquals(List.of(ImageRows.SCHEMA.fieldNames()), columns);
    Map<String, Integer> positions = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      positions.put(lines.get(i), i);
    }
    for (Group row : rows) {
      String prompt = row.getString("prompt", 0);
      String id = row.getString("prompt_id", 0);
      assertEquals(StableIds.promptId("prompts.txt", positions.get(prompt), prompt), id, "id of " + prompt);
      assertEquals(StableIds.seed(5, id), row.getLong("seed", 0));
      assertEquals("dpmpp-2m", row.getString("sampler", 0));
      assertEquals(2, row.getInteger("steps", 0));
      Group image = row.getGroup("image", 0);
      byte[] png = image.getBinary("bytes", 0).getBytes();
      assertEquals(id + ".png", image.getString("path", 0));
      assertEquals(StableIds.sha256Hex(png), row.getString("image_sha256", 0));
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
      assertEquals(128, decoded.getWidth());
      assertEquals(128, decoded.getHeight());
      assertEquals(128, row.getInteger("width", 0));
      assertFalse(row.getString("model_digest", 0).isEmpty());
      assertEquals("first", row.getString("run_id", 0));
      assertTrue(row.getDouble("unet_ms", 0) > 0);
    }

    JsonNode manifest = new ObjectMapper().readTree(out.resolve("_runs/first.json").toFile());
    assertEquals(6, manifest.get("counts").get("input").asLong());
    assertEquals(6, manifest.get("counts").get("made").asLong());
    assertEquals(0, manifest.get("counts").get("errors").asLong());
    assertEquals(rows.get(0).getString("model_digest", 0), manifest.get("model_digest").asText());
    assertEquals("4.0.1", manifest.get("versions").get("spark").asText());
    assertFalse(Files.exists(dir.resolve("out_errors")));
  }

  @Test
  void anLcmModelRunsWithItsOwnSamplerAndStepsByDefault() throws Exception {
    Path prompts = dir.resolve("prompts.csv");
    Files.writeString(prompts, "prompt_id,prompt\nr,a red circle\ng,a green square\n");
    Path out = dir.resolve("out");
    String lcm = Path.of("models", "tiny-lcm").toAbsolutePath().toString();
    assertEquals(GenerateCommand.EXIT_OK, Runs.generate("--prompts", prompts.toString(), "--output", out.toString(),
        "--model", lcm, "--master", "local[1]"));
    for (Group row : Outputs.rows(out)) {
      assertEquals("lcm", row.getString("sampler", 0));
      assertEquals(4, row.getInteger("steps", 0));
    }
    assertEquals(java.util.Set.of("r", "g"), Outputs.promptIdsExactlyOnce(out));
  }

  @Test
  void sdxlAndSdxlTurboModelsRunWithTheirOwnSchedulersByDefault() throws Exception {
    Path prompts = dir.resolve("prompts.csv");
    Files.writeString(prompts, "prompt_id,prompt,negative_prompt\nr,a red circle,\nb,a blue square,green\n");
    String[][] models = {{"tiny-sdxl", "euler", "20", "5.0"}, {"tiny-sdxl-turbo", "euler-a", "1", "0.0"}};
    for (String[] m : models) {
      Path out = dir.resolve("out-" + m[0]);
      assertEquals(GenerateCommand.EXIT_OK, Runs.generate("--prompts", prompts.toString(), "--output", out.toString(),
          "--model", Path.of("models", m[0]).toAbsolutePath().toString(), "--master", "local[1]"));
      Map<String, Group> made = new HashMap<>();
      Outputs.rows(out).forEach(r -> made.put(r.getString("prompt_id", 0), r));
      assertEquals(java.util.Set.of("r", "b"), made.keySet());
      for (Group row : made.values()) {
        assertEquals(m[1], row.getString("sampler", 0), m[0]);
        assertEquals(Integer.parseInt(m[2]), row.getInteger("steps", 0), m[0]);
        assertEquals(Double.parseDouble(m[3]), row.getDouble("guidance_scale", 0), m[0]);
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(row.getGroup("image", 0).getBinary("bytes", 0).getBytes()));
        assertEquals(128, png.getWidth());
      }
      assertEquals(0, made.get("r").getFieldRepetitionCount("negative_prompt"), "no negative prompt is recorded as null");
      assertEquals("green", made.get("b").getString("negative_prompt", 0));
    }
  }

  @Test
  void badRowsGoToTheErrorsDatasetTheRestIsMadeAndTheExitCodeIs3() throws Exception {
    Path prompts = dir.resolve("p.jsonl");
    Files.writeString(prompts, String.join("\n",
        "{\"prompt\": \"a red circle\"}",
        "{\"prompt\": \"\"}",
        "{\"prompt\": \"a blue square\", \"steps\": 0}",
        "{\"prompt\": \"a green square\", \"sampler\": \"no-such-sampler\"}",
        "{\"prompt_id\": \"x1\", \"prompt\": \"first x1\", \"seed\": 42, \"guidance_scale\": 3.0}",
        "{\"prompt_id\": \"x1\", \"prompt\": \"second x1\"}",
        "{\"prompt\": \"a yellow circle\", \"negative_prompt\": \"blue\", \"steps\": 3}") + "\n");
    Path out = dir.resolve("out");
    int code = Runs.generate("--prompts", prompts.toString(), "--output", out.toString(), "--model", Runs.TINY_SD,
        "--master", "local[2]", "--steps", "2", "--batch-size", "2");
    assertEquals(GenerateCommand.EXIT_SOME_ROWS_FAILED, code);

    Map<String, Group> made = new HashMap<>();
    Outputs.rows(out).forEach(r -> made.put(r.getString("prompt", 0), r));
    assertEquals(List.of("a red circle", "a yellow circle", "first x1"), made.keySet().stream().sorted().toList());
    assertEquals(42L, made.get("first x1").getLong("seed", 0));
    assertEquals(3.0, made.get("first x1").getDouble("guidance_scale", 0));
    assertEquals(3, made.get("a yellow circle").getInteger("steps", 0));
    assertEquals("blue", made.get("a yellow circle").getString("negative_prompt", 0));

    List<String> errors = new ArrayList<>();
    for (Group e : Outputs.rows(dir.resolve("out_errors"))) {
      errors.add(e.getString("stage", 0) + ": " + e.getString("reason", 0) + " <- " + e.getString("input", 0));
    }
    assertEquals(4, errors.size(), errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.startsWith("input: prompt is empty")), errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.startsWith("settings: steps must be at least 1") && e.contains("a blue square")), errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.startsWith("settings: ") && e.contains("no-such-sampler")), errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.startsWith("input: duplicate prompt_id") && e.contains("second x1")), errors.toString());
  }

  @Test
  void problemsFoundBeforeAnyWorkExitWith2AndWriteNothing() throws Exception {
    Path prompts = dir.resolve("prompts.txt");
    Files.write(prompts, List.of("a red circle"));
    Path existing = Files.createDirectories(dir.resolve("existing"));
    Files.writeString(existing.resolve("keep.txt"), "user data");
    Path noPromptColumn = dir.resolve("table.csv");
    Files.writeString(noPromptColumn, "text\na red circle\n");
    String model = Runs.TINY_SD;
    String[][] cases = {
      {"--output", existing.toString(), "--prompts", prompts.toString(), "--model", model},
      {"--output", dir.resolve("o1").toString(), "--prompts", prompts.toString(), "--model", model, "--sampler", "no-such-sampler"},
      {"--output", dir.resolve("o2").toString(), "--prompts", prompts.toString(), "--model", model, "--width", "100"},
      {"--output", dir.resolve("o3").toString(), "--prompts", prompts.toString(), "--model", dir.resolve("no-model").toString()},
      {"--output", dir.resolve("o4").toString(), "--prompts", noPromptColumn.toString(), "--model", model},
    };
    String[] reasons = {"already exists", "no-such-sampler", "width", "no-model", "no 'prompt' column"};
    for (int i = 0; i < cases.length; i++) {
      List<String> args = new ArrayList<>(List.of(cases[i]));
      args.addAll(List.of("--master", "local[1]"));
      java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
      java.io.PrintStream stderr = System.err;
      System.setErr(new java.io.PrintStream(err, true));
      int code;
      try {
        code = Runs.generate(args.toArray(String[]::new));
      } finally {
        System.setErr(stderr);
      }
      String said = err.toString();
      assertEquals(GenerateCommand.EXIT_BAD_ARGUMENTS, code, String.join(" ", cases[i]) + ": " + said);
      assertTrue(said.contains("generate: ") && said.contains(reasons[i]), "message for " + reasons[i] + ": " + said);
    }
    try (var files = Files.list(existing)) {
      assertEquals(List.of(existing.resolve("keep.txt")), files.toList());
    }
    for (String o : List.of("o1", "o2", "o3", "o4")) {
      assertFalse(Files.exists(dir.resolve(o)), o);
      assertFalse(Files.exists(dir.resolve(o + "_errors")), o);
    }
  }

  @Test
  void aFailedTaskAttemptIsRetriedAndEveryPromptIsMadeOnce() throws Exception {
    Path prompts = Runs.promptFile(dir, "a red circle number", 8);
    Path out = dir.resolve("out");
    Path markers = dir.resolve("markers");
    // The JVM's model cache may hold the model from an earlier test: empty it, so this run must load it (once).
    ExecutorModels.closeAll();
    int code = Runs.generate("--prompts", prompts.toString(), "--output", out.toString(), "--model", Runs.TINY_SD,
        "--master", "local[2,4]", "--steps", "2", "--batch-size", "2", "--partitions", "2",
        "--conf", FaultInjection.CONF, "--conf", "diffusionbatch.test.failOncePartition=0", "--conf", "diffusionbatch.test.markerDir=" + markers);
    assertEquals(GenerateCommand.EXIT_OK, code);
    assertEquals(List.of("0"), Files.readAllLines(markers.resolve("failures.txt")), "partition 0 failed once");
    assertEquals(8, Outputs.promptIdsExactlyOnce(out).size());
    assertEquals(List.of(Long.toString(ProcessHandle.current().pid())), Files.readAllLines(markers.resolve("loads.txt")),
        "local mode: one JVM, one model load shared by the driver's check and the tasks");
  }
}
