import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Checks one run of deploy/local-cluster/run.sh as a user would (every prompt once, every image
 * decodes, the manifest complete and no _SUCCESS, the output committed by the magic committer), and reads the
 * run's GPU scheduling from Spark's event log and the executors' logs: which stand-in GPU each
 * task was given, tasks per executor and per GPU, tasks running at once on one executor's model,
 * model loads per executor. Prints what it found and exits 1 naming every check that failed.
 *
 * <p>run.sh compiles it against the local SPARK_HOME's jars and runs it with spark-submit in local
 * mode, S3A pointed at the local S3Proxy. Arguments: OUTPUT_URI PROMPTS_FILE RUN_ID EVENT_LOG_DIR
 * WORKERS_DIR SUBMITTED_AT_EPOCH_MS EXECUTORS TASKS_PER_EXECUTOR_AT_ONCE.
 */
public final class CheckRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  // The lines the job logs on executors (PartitionGenerator, ExecutorModels).
  private static final Pattern TASK_LINE = Pattern.compile("task (\\d+) \\(partition (\\d+), attempt (\\d+)\\) on executor (\\S+): gpu address (\\S+)");
  private static final Pattern LOAD_LINE = Pattern.compile("Loaded model (\\S+) in (\\d+) ms \\(device ([^,]+),");

  private final List<String> failures = new ArrayList<>();
  private int passed;

  public static void main(String[] args) throws Exception {
    if (args.length != 8) {
      System.err.println("usage: CheckRun OUTPUT_URI PROMPTS_FILE RUN_ID EVENT_LOG_DIR WORKERS_DIR SUBMITTED_AT_MS EXECUTORS TASKS_AT_ONCE");
      System.exit(2);
    }
    CheckRun check = new CheckRun();
    SparkSession spark = SparkSession.builder().appName("diffusion-batch local-cluster check").getOrCreate();
    try {
      check.output(spark, args[0], Files.readAllLines(Path.of(args[1])), args[2], Long.parseLong(args[5]));
    } finally {
      spark.stop();
    }
    check.scheduling(Path.of(args[3]), Path.of(args[4]), Integer.parseInt(args[6]), Integer.parseInt(args[7]));
    if (!check.failures.isEmpty()) {
      System.out.println("FAILED:");
      check.failures.forEach(f -> System.out.println("  FAIL " + f));
    }
    // The plain closing line test reports use (run.sh repeats it last).
    System.out.println("checks: " + check.passed + " passed, " + check.failures.size() + " failed");
    System.exit(check.failures.isEmpty() ? 0 : 1);
  }

  private void expect(boolean ok, String what) {
    System.out.println((ok ? "  ok   " : "  FAIL ") + what);
    if (ok) {
      passed++;
    } else {
      failures.add(what);
    }
  }

  /** The dataset, its images, its manifest and its commit, read through S3A as a user reads them. */
  private void output(SparkSession spark, String output, List<String> promptLines, String runId, long submittedAt) throws Exception {
    System.out.println("output " + output);
    Set<String> prompts = new LinkedHashSet<>();
    promptLines.stream().map(String::strip).filter(p -> !p.isEmpty()).forEach(prompts::add);
    List<Row> rows = spark.read().parquet(output)
        .select("prompt_id", "prompt", "image.bytes", "image_sha256", "width", "height", "model_digest", "run_id", "created_at")
        .collectAsList();
    Set<String> ids = new LinkedHashSet<>();
    Set<String> madePrompts = new LinkedHashSet<>();
    Set<String> digests = new LinkedHashSet<>();
    int undecodable = 0;
    int wrongSize = 0;
    int wrongHash = 0;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    for (Row row : rows) {
      ids.add(row.getString(0));
      madePrompts.add(row.getString(1));
      byte[] png = (byte[]) row.get(2);
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
      if (image == null) {
        undecodable++;
      } else if (image.getWidth() != row.getInt(4) || image.getHeight() != row.getInt(5)) {
        wrongSize++;
      }
      if (!HexFormat.of().formatHex(sha256.digest(png)).equals(row.getString(3))) {
        wrongHash++;
      }
      digests.add(row.getString(6));
      long at = ((Timestamp) row.get(8)).getTime();
      first = Math.min(first, at);
      last = Math.max(last, at);
    }
    expect(rows.size() == prompts.size(), rows.size() + " rows for " + prompts.size() + " prompts");
    expect(ids.size() == rows.size(), ids.size() + " distinct prompt_ids in " + rows.size() + " rows (each prompt_id once)");
    expect(madePrompts.equals(prompts), "every prompt of the input has its row, and no other prompt");
    expect(undecodable == 0 && wrongSize == 0, "every image decodes as a PNG of its row's width x height ("
        + undecodable + " undecodable, " + wrongSize + " of another size)");
    expect(wrongHash == 0, "every image_sha256 is the SHA-256 of its PNG (" + wrongHash + " differ)");

    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    // The run manifest, not _SUCCESS, marks a finished run (each commit is a Spark write; see docs/generate.md).
    expect(readJson(hadoop, output + "/_SUCCESS") == null, "no _SUCCESS: the run manifest is the completion marker");
    JsonNode manifest = readJson(hadoop, output + "/_runs/" + runId + ".json");
    expect(manifest != null, "the run manifest _runs/" + runId + ".json is there");
    if (manifest != null) {
      JsonNode counts = manifest.path("counts");
      expect(counts.path("input").asLong() == prompts.size() && counts.path("made").asLong() == prompts.size()
          && counts.path("errors").asLong() == 0, "manifest counts: input " + counts.path("input") + ", made " + counts.path("made")
          + ", errors " + counts.path("errors"));
      expect("complete".equals(manifest.path("status").asText()), "manifest status " + manifest.path("status"));
      expect(manifest.path("gpu_as_cpu").asBoolean(false), "manifest says the models ran on the CPU for stand-in GPUs (gpu_as_cpu "
          + manifest.path("gpu_as_cpu") + ")");
      expect(digests.size() == 1 && digests.contains(manifest.path("model_digest").asText()),
          "every row's model_digest is the manifest's " + manifest.path("model_digest").asText());
      System.out.printf("figures: manifest images/s %.1f over %.1f s of generation%n",
          manifest.path("timings").path("images_per_second").asDouble(), manifest.path("timings").path("generate_seconds").asDouble());
    }
    if (!rows.isEmpty()) {
      System.out.printf("figures: first image %.1f s after submit; %d images in %.1f s from submit to the last (%.1f images/s end to end)%n",
          (first - submittedAt) / 1e3, rows.size(), (last - submittedAt) / 1e3, rows.size() / Math.max((last - submittedAt) / 1e3, 1e-3));
    }
  }

  private static JsonNode readJson(Configuration hadoop, String uri) throws IOException {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    FileSystem fs = path.getFileSystem(hadoop);
    if (!fs.exists(path)) {
      return null;
    }
    try (InputStream in = fs.open(path)) {
      return JSON.readTree(in);
    }
  }

  /**
   * The events of the one application logged in the folder, in order: Spark 4's default rolling
   * log (eventlog_v2_APP/events_N_APP[.zstd]) or a single file (spark.eventLog.rolling.enabled=false).
   */
  private static List<String> eventLogLines(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> entries = Files.list(dir)) {
      List<Path> all = entries.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
      if (all.size() != 1) {
        throw new IllegalStateException("expected the event log of one application in " + dir + ", found " + all);
      }
      files = new ArrayList<>(List.of(all.get(0)));
    }
    if (Files.isDirectory(files.get(0))) {
      try (Stream<Path> parts = Files.list(files.get(0))) {
        files = new ArrayList<>(parts.filter(p -> p.getFileName().toString().startsWith("events_")).toList());
      }
      // events_<index>_<app id>[.codec]: in index order.
      files.sort(java.util.Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().split("_")[1])));
    }
    List<String> lines = new ArrayList<>();
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (name.matches(".*\\.(lz4|lzf|snappy)$")) {
        throw new IllegalStateException(file + ": only zstd (Spark's default) or uncompressed event logs are read here");
      }
      try (InputStream raw = Files.newInputStream(file);
          InputStream in = name.endsWith(".zstd") ? new com.github.luben.zstd.ZstdInputStream(raw) : raw) {
        new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().forEach(lines::add);
      }
    }
    return lines;
  }

  /** One executor as the event log and its own log show it. */
  private static final class Executor {
    final String id;
    List<String> gpus = List.of();
    String worker = "?";
    final List<long[]> taskTimes = new ArrayList<>();
    final Set<String> taskGpus = new LinkedHashSet<>();
    int tasks;
    int modelLoads;
    int standInWarnings;

    Executor(String id) {
      this.id = id;
    }

    /** Most tasks running at once, from their launch and finish times. */
    int peakConcurrent() {
      TreeMap<Long, Integer> changes = new TreeMap<>();
      for (long[] t : taskTimes) {
        changes.merge(t[0], 1, Integer::sum);
        changes.merge(t[1], -1, Integer::sum);
      }
      int running = 0;
      int peak = 0;
      for (int change : changes.values()) {
        running += change;
        peak = Math.max(peak, running);
      }
      return peak;
    }
  }

  /** The job wrote to S3 through the S3A magic committer: the Spark properties the event log recorded at start. */
  private void committer(List<String> events) throws IOException {
    JsonNode properties = null;
    for (String line : events) {
      JsonNode event = JSON.readTree(line);
      if ("SparkListenerEnvironmentUpdate".equals(event.path("Event").asText())) {
        properties = event.path("Spark Properties");
        break;
      }
    }
    String name = properties == null ? null : properties.path("spark.hadoop.fs.s3a.committer.name").asText(null);
    String protocol = properties == null ? null : properties.path("spark.sql.sources.commitProtocolClass").asText(null);
    expect("magic".equals(name) && protocol != null && protocol.endsWith("PathOutputCommitProtocol"),
        "the output was committed by the S3A magic committer (fs.s3a.committer.name " + name + ", commit protocol " + protocol + ")");
  }

  /** GPU scheduling: the event log gives executors' GPU addresses and task times, the executors' logs what each task was given. */
  private void scheduling(Path eventLogDir, Path workersDir, int expectedExecutors, int tasksAtOnce) throws IOException {
    System.out.println("scheduling (event log " + eventLogDir + ", executor logs under " + workersDir + ")");
    List<String> events = eventLogLines(eventLogDir);
    expect(!events.isEmpty(), "the application's event log is in " + eventLogDir);
    committer(events);
    String appId = null;
    Map<String, Executor> executors = new TreeMap<>();
    Map<Long, String> taskExecutor = new HashMap<>();
    Map<Long, long[]> taskTimes = new HashMap<>();
    for (String line : events) {
      JsonNode event = JSON.readTree(line);
      switch (event.path("Event").asText()) {
        case "SparkListenerApplicationStart" -> appId = event.path("App ID").asText();
        case "SparkListenerExecutorAdded" -> {
          Executor e = executors.computeIfAbsent(event.path("Executor ID").asText(), Executor::new);
          List<String> gpus = new ArrayList<>();
          event.path("Executor Info").path("Resources").path("gpu").path("addresses").forEach(a -> gpus.add(a.asText()));
          e.gpus = gpus;
        }
        case "SparkListenerTaskEnd" -> {
          JsonNode info = event.path("Task Info");
          JsonNode metrics = event.path("Task Metrics");
          long id = info.path("Task ID").asLong();
          taskExecutor.put(id, info.path("Executor ID").asText());
          // Ends by the executor's own time: "Finish Time" is when the driver took the result, which
          // can be after it already launched the next task into the freed slot.
          long launch = info.path("Launch Time").asLong();
          long end = launch + metrics.path("Executor Deserialize Time").asLong() + metrics.path("Executor Run Time").asLong()
              + metrics.path("Result Serialization Time").asLong();
          taskTimes.put(id, new long[] {launch, end});
        }
        default -> { }
      }
    }
    expect(executors.size() == expectedExecutors, executors.size() + " executors registered (" + expectedExecutors + " expected)");
    expect(executors.values().stream().allMatch(e -> e.gpus.size() == 1), "each executor was given one stand-in GPU by its worker");

    // Each executor's own log: stderr in WORKERS_DIR/<worker>/<app id>/<executor id>/.
    Map<Long, String> taskGpu = new HashMap<>();
    int mismatched = 0;
    for (Executor e : executors.values()) {
      Path stderr = null;
      try (Stream<Path> workers = Files.list(workersDir)) {
        for (Path worker : workers.toList()) {
          Path candidate = worker.resolve(String.valueOf(appId)).resolve(e.id).resolve("stderr");
          if (Files.isRegularFile(candidate)) {
            stderr = candidate;
            e.worker = worker.getFileName().toString();
          }
        }
      }
      if (stderr == null) {
        expect(false, "executor " + e.id + " has a log under " + workersDir);
        continue;
      }
      for (String line : Files.readAllLines(stderr)) {
        Matcher task = TASK_LINE.matcher(line);
        if (task.find()) {
          long id = Long.parseLong(task.group(1));
          String gpu = task.group(5);
          taskGpu.put(id, gpu);
          e.tasks++;
          e.taskGpus.add(gpu);
          if (!e.gpus.contains(gpu) || !e.id.equals(task.group(4))) {
            mismatched++;
          }
          long[] times = taskTimes.get(id);
          if (times != null) {
            e.taskTimes.add(times);
          }
        }
        if (LOAD_LINE.matcher(line).find()) {
          e.modelLoads++;
        }
        if (line.contains("diffusionbatch.testing.gpuAsCpu=true: the model for GPU address")) {
          e.standInWarnings++;
        }
      }
    }
    System.out.println("  executor  worker    stand-in gpu  generate tasks  at once (peak)  model loads");
    for (Executor e : executors.values()) {
      System.out.printf("  %-8s  %-8s  %-12s  %14d  %14d  %11d%n", e.id, e.worker, String.join(",", e.gpus), e.tasks, e.peakConcurrent(),
          e.modelLoads);
    }
    Map<String, Integer> perGpu = new TreeMap<>();
    executors.values().forEach(e -> e.gpus.forEach(g -> perGpu.merge(e.worker + " gpu " + g, e.tasks, Integer::sum)));
    System.out.println("  generate tasks per stand-in GPU: " + perGpu);

    expect(!taskGpu.isEmpty() && taskGpu.values().stream().noneMatch("none"::equals),
        taskGpu.size() + " generate tasks logged their GPU address, none ran without one");
    expect(taskGpu.keySet().stream().allMatch(taskExecutor::containsKey), "every logged task is in the event log");
    expect(mismatched == 0, "every task's GPU address is one its executor was given (" + mismatched + " not)");
    expect(executors.values().stream().allMatch(e -> e.tasks >= tasksAtOnce),
        "every executor ran at least " + tasksAtOnce + " generate tasks");
    expect(executors.values().stream().allMatch(e -> e.peakConcurrent() == tasksAtOnce),
        tasksAtOnce + " tasks ran at once on each executor, sharing its one GPU and model (executor cores x GPU share per task = 1 GPU)");
    expect(executors.values().stream().allMatch(e -> e.modelLoads == 1 && e.standInWarnings == 1),
        "each executor loaded the model once, for its stand-in GPU, and logged that it runs on the CPU");
    long gpusUsed = executors.values().stream().flatMap(e -> e.taskGpus.stream().map(g -> e.worker + "/" + g)).distinct().count();
    expect(gpusUsed == expectedExecutors, "tasks used " + gpusUsed + " distinct stand-in GPUs, one for each of the "
        + expectedExecutors + " executors asked for");
  }
}
