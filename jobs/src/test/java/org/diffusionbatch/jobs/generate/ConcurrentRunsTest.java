package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.jobs.generate.output.OutputLease;
import org.diffusionbatch.jobs.testing.S3ProxyFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer per output: while a run (a real child JVM) writes, a second run, a --resume and an
 * --overwrite on the same output each stop before any work (exit 2) naming the holder; once the
 * holder has stopped, --resume completes the dataset with every prompt_id once. Local files and S3.
 */
class ConcurrentRunsTest {
  @TempDir Path dir;

  @Test
  void onALocalOutputASecondRunStopsUpFrontNamingTheHolder() throws Exception {
    Path prompts = Runs.promptFile(dir, "a green triangle number", 8);
    Path out = dir.resolve("out");
    List<String> args = new ArrayList<>(List.of("--prompts", prompts.toString(), "--output", out.toString(),
        "--model", Runs.TINY_SD, "--master", "local[2]", "--steps", "2", "--batch-size", "2", "--partitions", "2"));
    holdThenResume(args, List.of(), () -> Outputs.promptIdsExactlyOnce(out).size());
  }

  @Test
  void onAnS3OutputASecondRunStopsUpFrontNamingTheHolder() throws Exception {
    try (S3ProxyFixture s3 = new S3ProxyFixture()) {
      s3.useAsDefaultCredentials();
      s3.createBucket("data");
      Path prompts = Runs.promptFile(dir, "a green triangle number", 8);
      List<String> args = new ArrayList<>(List.of("--prompts", prompts.toString(), "--output", "s3://data/out",
          "--model", Runs.TINY_SD, "--master", "local[2]", "--steps", "2", "--batch-size", "2", "--partitions", "2",
          "--conf", "diffusionbatch.lease.settleMillis=300"));
      args.addAll(s3.jobOptions());
      args.addAll(s3.sparkConf());
      List<String> credentials = List.of("-Daws.accessKeyId=" + S3ProxyFixture.ACCESS_KEY, "-Daws.secretAccessKey=" + S3ProxyFixture.SECRET_KEY);
      holdThenResume(args, credentials, () -> distinctIdsOnS3(s3));
      assertFalse(s3.blobStore().blobExists("data", "out/" + OutputLease.FILE_NAME), "the lease is released");
    }
  }

  private interface Count {
    int get() throws Exception;
  }

  private void holdThenResume(List<String> args, List<String> jvmOptions, Count idsOnce) throws Exception {
    Path markers = dir.resolve("markers");
    Path hold = Files.writeString(dir.resolve("hold"), "the holder waits in its first batch while this file exists");
    List<String> holderArgs = new ArrayList<>(args);
    holderArgs.addAll(List.of("--run-id", "holder"));
    holderArgs.addAll(Runs.QUIET);
    String holderOutput;
    List<String> childOptions = new ArrayList<>(jvmOptions);
    childOptions.addAll(List.of("-Ddiffusionbatch.test.batchMillis=0", "-Ddiffusionbatch.test.markers=" + markers,
        "-Ddiffusionbatch.test.holdWhile=" + hold));
    try (ChildJvm holder = ChildJvm.start(dir.resolve("holder"), SlowGenerateMain.class.getName(), childOptions, holderArgs)) {
      holder.awaitCondition("the holder's first batch", Duration.ofMinutes(4), () -> Files.exists(markers.resolve("started")));
      for (List<String> flags : List.of(List.<String>of(), List.of("--resume"), List.of("--overwrite"))) {
        List<String> second = new ArrayList<>(args);
        second.addAll(flags);
        Probe probe = Probe.run(second.toArray(String[]::new));
        String said = probe.err();
        assertEquals(GenerateCommand.EXIT_BAD_ARGUMENTS, probe.code(), flags + ": " + probe);
        assertTrue(said.contains("is being written by run holder (host ") && said.contains(", pid " + holder.pid() + ", started ")
            && said.contains("lease expires") && said.contains("--break-lease"), flags + ": " + said);
        assertTrue(probe.saidOneLine(), "one line: " + probe);
      }
      assertTrue(holder.stdout().isEmpty() && !holder.stderr().contains("generate: "), "the holder still runs: " + holder.output());
      holder.signal("TERM");
      Files.delete(hold); // lets the holder's task reach its next check and see it was cancelled
      assertEquals(143, holder.awaitExit(Duration.ofMinutes(2)), holder.output());
      assertTrue(holder.stderr().contains("generate: run holder was interrupted by SIGTERM"), holder.output());
      holderOutput = holder.output();
    }
    List<String> resume = new ArrayList<>(args);
    resume.add("--resume");
    Probe resumed = Probe.run(resume.toArray(String[]::new));
    assertEquals(GenerateCommand.EXIT_OK, resumed.code(), resumed + "\n--- the holder's\n" + holderOutput);
    assertEquals(8, idsOnce.get());
  }

  /** The number of distinct prompt_ids in the S3 output, failing if any occurs twice. */
  private static int distinctIdsOnS3(S3ProxyFixture s3) {
    SparkSession spark = s3.readerSession();
    try {
      List<Row> ids = spark.read().parquet("s3a://data/out").select("prompt_id").collectAsList();
      long distinct = ids.stream().map(r -> r.getString(0)).distinct().count();
      assertEquals(ids.size(), distinct, "each prompt_id once");
      return (int) distinct;
    } finally {
      spark.stop();
    }
  }
}
