package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.diffusionbatch.jobs.cli.DiffusionBatchCli;
import org.diffusionbatch.jobs.spark.Redaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets given as --conf never reach what a run writes or prints: a real run of the command line
 * (child JVM) with three unique secret values, then every byte of its images, errors dataset,
 * manifest, Spark event log, standard output and standard error (the log) is searched for them.
 */
class SecretsTest {
  @TempDir Path dir;

  @Test
  void secretConfValuesAppearNowhereInTheOutputsTheManifestTheEventLogOrTheConsole() throws Exception {
    String secretKey = "SECRET-" + UUID.randomUUID();
    String sessionToken = "TOKEN-" + UUID.randomUUID();
    String password = "PASS-" + UUID.randomUUID();
    Path prompts = Files.writeString(dir.resolve("p.jsonl"), "{\"prompt\": \"a red circle\"}\n{\"prompt\": \"\"}\n");
    Path out = dir.resolve("out");
    Path events = Files.createDirectories(dir.resolve("events"));
    List<String> args = new ArrayList<>(List.of("generate", "--prompts", prompts.toString(), "--output", out.toString(),
        "--model", Runs.TINY_SD, "--master", "local[2]", "--steps", "1", "--run-id", "secrets",
        "--conf", "spark.hadoop.fs.s3a.secret.key=" + secretKey,
        "--conf=spark.hadoop.fs.s3a.session.token=" + sessionToken,
        "--conf", "spark.myapp.Password=" + password,
        "--conf", "spark.eventLog.enabled=true", "--conf", "spark.eventLog.dir=" + events.toUri(),
        // Plain text, so that searching its bytes means something.
        "--conf", "spark.eventLog.compress=false"));
    args.addAll(Runs.QUIET);
    try (ChildJvm child = ChildJvm.start(dir.resolve("console"), DiffusionBatchCli.class.getName(), List.of(), args)) {
      assertEquals(GenerateCommand.EXIT_SOME_ROWS_FAILED, child.awaitExit(Duration.ofMinutes(5)), child.output());
    }
    assertTrue(Files.isDirectory(dir.resolve("out_errors")), "the errors dataset was written too");
    String manifest = Files.readString(out.resolve("_runs/secrets.json"));
    assertTrue(manifest.contains("spark.hadoop.fs.s3a.secret.key=" + Redaction.REDACTED), manifest);
    assertTrue(manifest.contains("--conf=spark.hadoop.fs.s3a.session.token=" + Redaction.REDACTED), manifest);

    List<Path> searched = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        if (file.getFileName().toString().equals("classpath.args")) {
          continue;
        }
        String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        for (String secret : List.of(secretKey, sessionToken, password)) {
          assertFalse(bytes.contains(secret), secret.substring(0, 6) + "... found in " + file);
        }
        searched.add(file);
      }
    }
    assertTrue(searched.stream().anyMatch(f -> f.toString().endsWith(".parquet")), searched.toString());
    List<Path> eventLogs = searched.stream().filter(f -> f.startsWith(events) && f.getFileName().toString().startsWith("events_")).toList();
    assertFalse(eventLogs.isEmpty(), "the event log was searched: " + searched);
    String eventLog = Files.readString(eventLogs.get(0));
    assertTrue(eventLog.contains("\"spark.hadoop.fs.s3a.secret.key\""), "the event log records the conf (redacted)");
    assertTrue(searched.stream().anyMatch(f -> f.getFileName().toString().equals("stderr.txt")), searched.toString());
  }
}
