package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.diffusionbatch.jobs.dataset.ImageRows;
import org.diffusionbatch.jobs.spark.StorageUris;
import org.diffusionbatch.jobs.testing.S3ProxyFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input, each case as a user meets it: one line naming the problem and where, the documented
 * exit code, nothing written and nothing lost; rows that are wrong but readable are counted so that
 * input = made + errors + skipped.
 */
class BadInputTest {
  @TempDir Path dir;

  @Test
  void unreadableOrAmbiguousInputAndUnwritableOutputsExitWith2BeforeAnyWork() throws Exception {
    Path good = Files.write(dir.resolve("good.txt"), List.of("a red circle"));
    Path noExtension = Files.write(dir.resolve("prompts"), List.of("a red circle"));
    Path mixed = Files.createDirectories(dir.resolve("mixed"));
    Files.write(mixed.resolve("a.txt"), List.of("a red circle"));
    Files.writeString(mixed.resolve("b.jsonl"), "{\"prompt\": \"a blue square\"}\n");
    Path aFile = Files.writeString(dir.resolve("a-file"), "x");
    Path array = Files.writeString(dir.resolve("array.jsonl"), "{\"prompt\": [\"a red circle\", \"a blue square\"]}\n");
    Path notJson = Files.write(dir.resolve("text.jsonl"), List.of("a red circle", "a blue square"));
    Path notParquet = Files.write(dir.resolve("table.parquet"), List.of("a red circle"));
    try (S3ProxyFixture s3 = new S3ProxyFixture()) {
      s3.useAsDefaultCredentials();
      s3.createBucket("data");
      s3.put("data", "p.txt", "a red circle\n".getBytes(StandardCharsets.UTF_8));
      List<String> s3Options = new ArrayList<>(s3.jobOptions());
      s3Options.addAll(s3.sparkConf());
      // One bucket with right and wrong credentials in one JVM: no file system shared between the cases.
      s3Options.addAll(List.of("--conf", "spark.hadoop.fs.s3a.impl.disable.cache=true"));
      List<String> wrongSecret = new ArrayList<>(s3Options);
      wrongSecret.set(wrongSecret.indexOf("spark.hadoop.fs.s3a.secret.key=" + S3ProxyFixture.SECRET_KEY), "spark.hadoop.fs.s3a.secret.key=wrong");

      Object[][] cases = {
        {List.of("--prompts", dir.resolve("missing.txt").toString()), "does not exist"},
        {List.of("--prompts", noExtension.toString()), "cannot tell the format of a file named 'prompts'"},
        {List.of("--prompts", dir.resolve("nothing-*.txt").toString()), "matches no files"},
        {List.of("--prompts", mixed.toString()), "mixes formats: 1 text (e.g. a.txt), 1 jsonl (e.g. b.jsonl)"},
        {List.of("--prompts", good.toString(), "--output", aFile.resolve("out").toString()), "cannot be created: " + aFile + " is a file"},
        {List.of("--prompts", array.toString()), "column 'prompt' is array<string>; it must hold one string per row"},
        {List.of("--prompts", notJson.toString()), "no line is a JSON object"},
        {List.of("--prompts", notParquet.toString()), "cannot be read as parquet"},
        {with(s3Options, "--prompts", "s3://no-such-bucket/p.txt"), "no-such-bucket"},
        {with(wrongSecret, "--prompts", "s3://data/p.txt"), "access denied"},
        {with(s3Options, "--prompts", good.toString(), "--output", "s3://no-such-bucket/out"), "does not exist"},
        {with(wrongSecret, "--prompts", good.toString(), "--output", "s3://data/out"), "access denied"},
      };
      for (Object[] c : cases) {
        @SuppressWarnings("unchecked")
        List<String> args = new ArrayList<>((List<String>) c[0]);
        if (!args.contains("--output")) {
          args.addAll(List.of("--output", dir.resolve("out").toString()));
        }
        args.addAll(List.of("--model", Runs.TINY_SD, "--master", "local[1]"));
        Probe probe = Probe.run(args.toArray(String[]::new));
        assertEquals(GenerateCommand.EXIT_BAD_ARGUMENTS, probe.code(), args + ": " + probe);
        assertTrue(probe.err().startsWith("generate: ") && probe.err().contains((String) c[1]), c[1] + ": " + probe);
        assertTrue(probe.saidOneLine(), "one line: " + probe);
        assertFalse(Files.exists(dir.resolve("out")) || Files.exists(dir.resolve("out_errors")), "nothing written: " + args);
      }
      assertTrue(s3.blobStore().list("data").stream().allMatch(b -> b.getName().equals("p.txt")), "nothing written to S3");
    }
  }

  private static List<String> with(List<String> options, String... more) {
    List<String> all = new ArrayList<>(List.of(more));
    all.addAll(options);
    return all;
  }

  @Test
  void blankLinesOfAnyWhitespaceAreSkippedConsistentlyAndInvalidUtf8IsCountedAndWarned() throws Exception {
    byte[] text = ("a red circle\n\t\n \t \nbad \u00ff byte\n").getBytes(StandardCharsets.UTF_8);
    text[text.length - 7] = (byte) 0xFF; // the UTF-8 of 'ÿ' (C3 BF) becomes C3 FF: not UTF-8
    Path prompts = Files.write(dir.resolve("p.txt"), text);
    Path out = dir.resolve("out");
    Probe probe = Probe.run("--prompts", prompts.toString(), "--output", out.toString(), "--model", Runs.TINY_SD,
        "--master", "local[1]", "--steps", "1", "--run-id", "blank");
    assertEquals(GenerateCommand.EXIT_OK, probe.code(), probe.toString());
    JsonNode counts = manifest(out, "blank").get("counts");
    assertEquals(2, counts.get("input").asLong());
    assertEquals(2, counts.get("made").asLong());
    assertEquals(0, counts.get("errors").asLong());
    assertEquals(0, counts.get("skipped_by_resume").asLong());
    assertEquals(1, counts.get("invalid_utf8").asLong());
    assertTrue(probe.err().contains("generate: warning: 1 row(s) of --prompts " + StorageUris.forSpark("--prompts", prompts.toString())
        + " hold bytes that are not UTF-8 (read as U+FFFD), first at p.txt line 4"), probe.toString());
  }

  @Test
  void aMalformedJsonLineIsReportedAsMalformedJsonWithItsFileAndRow() throws Exception {
    Path prompts = Files.writeString(dir.resolve("p.jsonl"), "{\"prompt\": \"a red circle\"}\n{\"prompt\": \"a blue sq\n"
        + "{\"prompt\": \"a green triangle\"}\n");
    Path out = dir.resolve("out");
    Probe probe = Probe.run("--prompts", prompts.toString(), "--output", out.toString(), "--model", Runs.TINY_SD,
        "--master", "local[1]", "--steps", "1");
    assertEquals(GenerateCommand.EXIT_SOME_ROWS_FAILED, probe.code(), probe.toString());
    List<Group> errors = Outputs.rows(dir.resolve("out_errors"));
    assertEquals(1, errors.size());
    assertEquals("input", errors.get(0).getString("stage", 0));
    assertEquals("malformed JSON: {\"prompt\": \"a blue sq (p.jsonl row 2)", errors.get(0).getString("reason", 0));
    assertEquals(2, Outputs.promptIdsExactlyOnce(out).size());
  }

  @Test
  void anEmptyPromptFileSaysZeroRowsAndWritesAnEmptyDatasetWithTheSchema() throws Exception {
    Path prompts = Files.writeString(dir.resolve("empty.txt"), "");
    Path out = dir.resolve("out");
    Probe probe = Probe.run("--prompts", prompts.toString(), "--output", out.toString(), "--model", Runs.TINY_SD,
        "--master", "local[1]", "--run-id", "empty");
    assertEquals(GenerateCommand.EXIT_OK, probe.code(), probe.toString());
    assertTrue(probe.out().contains("holds 0 prompt rows; nothing to make"), probe.out());
    assertEquals("complete", manifest(out, "empty").get("status").asText());
    assertEquals(0, Outputs.rows(out).size());
    Path part;
    try (var files = Files.list(out)) {
      part = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(part.toUri()), new org.apache.hadoop.conf.Configuration()))) {
      List<String> columns = new ArrayList<>();
      reader.getFooter().getFileMetaData().getSchema().getFields().forEach(f -> columns.add(f.getName()));
      assertEquals(List.of(ImageRows.SCHEMA.fieldNames()), columns);
    }
  }

  private static JsonNode manifest(Path out, String runId) throws Exception {
    return new ObjectMapper().readTree(out.resolve("_runs/" + runId + ".json").toFile());
  }
}
