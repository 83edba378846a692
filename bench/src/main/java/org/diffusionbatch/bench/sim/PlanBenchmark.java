package org.diffusionbatch.bench.sim;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.jobs.dataset.ImageRows;
import org.diffusionbatch.jobs.generate.GenerateCommand;
import picocli.CommandLine;

/**
 * Planning at scale: the generate job with a zero-cost model ({@link ZeroCostImageMakerFactory}) on
 * millions of prompt rows, measuring the driver (this JVM): its peak heap and live heap after GC,
 * the run's planning and total time.
 *
 * <pre>
 * PlanBenchmark data ROWS --scratch DIR [--done DONE]   prompts-ROWS.parquet (1% duplicate ids) and, with
 *                                                       --done, an output already holding DONE of its ids
 * PlanBenchmark run ROWS --scratch DIR [--resume-from DONE] [--master M] [--json FILE] [-- generate options]
 * </pre>
 *
 * Row i has prompt_id {@code p-i}, except that every hundredth row (i % 100 == 99) repeats the id of
 * the row before it: 1% duplicate ids, which the job writes to its errors dataset.
 */
public final class PlanBenchmark {
  private static final long SAMPLE_MILLIS = 50;

  private PlanBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: PlanBenchmark data|run ROWS --scratch DIR [...]");
    }
    long rows = Long.parseLong(args[1]);
    Path scratch = null;
    Long done = null;
    String master = "local-cluster[2,1,1024]";
    Path json = null;
    List<String> extra = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--scratch" -> scratch = Path.of(args[++i]);
        case "--done", "--resume-from" -> done = Long.parseLong(args[++i]);
        case "--master" -> master = args[++i];
        case "--json" -> json = Path.of(args[++i]);
        case "--" -> {
          extra.addAll(List.of(args).subList(i + 1, args.length));
          i = args.length;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (scratch == null) {
      throw new IllegalArgumentException("--scratch DIR is required");
    }
    switch (args[0]) {
      case "data" -> makeData(scratch, rows, done);
      case "run" -> {
        Result result = run(scratch, rows, done, master, extra);
        System.out.println(result.table());
        if (json != null) {
          Files.writeString(json, new ObjectMapper().writeValueAsString(result) + "\n");
        }
        System.exit(result.exitCode() == 0 || result.exitCode() == GenerateCommand.EXIT_SOME_ROWS_FAILED ? 0 : 1);
      }
      default -> throw new IllegalArgumentException("mode " + args[0] + " is not known; use data or run");
    }
  }

  static Path prompts(Path scratch, long rows) {
    return scratch.resolve("prompts-" + rows + ".parquet");
  }

  static Path output(Path scratch, long rows, Long done) {
    return scratch.resolve(done == null ? "out-" + rows : "out-" + rows + "-resume-" + done);
  }

  /** The prompt_id of row i: p-i, or for every hundredth row the id of the row before it. */
  static Column promptId(Column i) {
    return concat(lit("p-"), when(i.mod(100).equalTo(99), i.minus(1)).otherwise(i).cast("string"));
  }

  /** Writes the prompts (unless there already) and, given {@code done}, a fresh output holding the first {@code done} distinct ids. */
  static void makeData(Path scratch, long rows, Long done) throws IOException {
    Files.createDirectories(scratch);
    SparkSession spark = SparkSession.builder().master("local[2]").appName("plan benchmark data")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      Path prompts = prompts(scratch, rows);
      if (!Files.exists(prompts.resolve("_SUCCESS"))) {
        int files = (int) Math.max(1, rows / 500_000);
        spark.range(0, rows, 1, files).select(promptId(col("id")).as("prompt_id"),
                concat(lit("a photograph of thing number "), col("id").cast("string"), lit(", highly detailed")).as("prompt"))
            .write().mode(SaveMode.Overwrite).parquet(prompts.toString());
      }
      if (done != null) {
        // Rows 0..j-1 hold exactly `done` distinct ids when j skips one duplicate per hundred rows.
        long j = done + done / 99;
        while (j - j / 100 > done) {
          j--;
        }
        while (j - j / 100 < done) {
          j++;
        }
        Dataset<Row> ids = spark.range(0, j, 1, (int) Math.max(1, j / 500_000)).toDF().filter(col("id").mod(100).notEqual(99));
        Dataset<Row> made = ids.select(
            promptId(col("id")).as("prompt_id"),
            concat(lit("a photograph of thing number "), col("id").cast("string"), lit(", highly detailed")).as("prompt"),
            lit("").as("negative_prompt"), col("id").as("seed"), lit("euler").as("sampler"), lit(1).as("steps"),
            lit(0.0).as("guidance_scale"), lit(0.0).as("guidance_rescale"), lit(8).as("width"), lit(8).as("height"),
            lit("zero-cost:models/tiny-sd").as("model"), lit("0".repeat(64)).as("model_digest"),
            struct(lit(new byte[] {(byte) 0x89, 'P', 'N', 'G'}).as("bytes"),
                concat(promptId(col("id")), lit(".png")).as("path")).as("image"),
            lit("0".repeat(64)).as("image_sha256"), lit("made-by-plan-benchmark").as("run_id"),
            lit(0.0).as("text_ms"), lit(0.0).as("unet_ms"), lit(0.0).as("sampler_ms"), lit(0.0).as("decode_ms"),
            lit(0.0).as("png_ms"), current_timestamp().as("created_at"));
        Path output = output(scratch, rows, done);
        spark.createDataFrame(made.javaRDD(), ImageRows.SCHEMA).write().mode(SaveMode.Overwrite).parquet(output.toString());
      }
    } finally {
      spark.stop();
    }
  }

  /** Runs the job on the prepared data in this JVM (the driver) and measures it. */
  static Result run(Path scratch, long rows, Long done, String master, List<String> extra) throws Exception {
    double[] loadBefore = SimBenchmark.loadAverage();
    Path output = output(scratch, rows, done);
    String runId = "plan-" + rows + (done == null ? "" : "-resume-" + done) + "-" + System.currentTimeMillis();
    List<String> generate = new ArrayList<>(List.of(
        "--prompts", prompts(scratch, rows).toString(), "--output", output.toString(), "--model", "models/tiny-sd",
        "--width", "8", "--height", "8", "--steps", "1", "--sampler", "euler", "--guidance", "0",
        "--master", master, "--run-id", runId,
        "--conf", "spark.ui.enabled=false",
        "--conf", SimulatedImageMakerFactory.FACTORY_CONF + "=" + ZeroCostImageMakerFactory.class.getName()));
    if (done != null) {
      generate.add("--resume");
    } else if (Files.exists(output)) {
      generate.add("--overwrite"); // an earlier run's output in the same scratch folder
    }
    if (master.startsWith("local-cluster")) {
      // Executors started from $SPARK_HOME/jars (bench/sim/run.sh links the classpath there).
      for (String conf : List.of("spark.executorEnv.SPARK_SCALA_VERSION=2.13", "spark.executorEnv.DJL_OFFLINE=true",
          "spark.executorEnv.OPT_OUT_TRACKING=true", "spark.executor.extraJavaOptions=-Dai.djl.offline=true")) {
        generate.add("--conf");
        generate.add(conf);
      }
    }
    generate.addAll(extra);

    HeapWatch heap = new HeapWatch();
    heap.start();
    long start = System.nanoTime();
    int exit = new CommandLine(new GenerateCommand()).execute(generate.toArray(String[]::new));
    double wall = (System.nanoTime() - start) / 1e9;
    heap.stopWatching();
    JsonNode manifest = new ObjectMapper().readTree(output.resolve("_runs").resolve(runId + ".json").toFile());
    return new Result(rows, done, master, exit, wall, manifest.path("timings"), manifest.path("counts"),
        heap.peakUsed / 1048576.0, heap.peakAfterGc / 1048576.0, heap.peakLive / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0,
        loadBefore, SimBenchmark.loadAverage(), SimBenchmark.machineCpuModel(), Runtime.getRuntime().availableProcessors());
  }

  /**
   * This JVM's heap: the most in use at any sample (every 50 ms); the most in use right after any
   * garbage collection (young collections leave old garbage, so this grows with run time, not only
   * with what is kept); and the most still in use after a full collection, which this watch asks for
   * every {@value #FULL_GC_SECONDS} s: what the driver really keeps.
   */
  static final class HeapWatch extends Thread {
    static final int FULL_GC_SECONDS = 15;
    volatile long peakUsed;
    volatile long peakAfterGc;
    volatile long peakLive;
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = (notification, handback) -> {
      if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
        GarbageCollectionNotificationInfo info =
            GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        long after = 0;
        for (MemoryUsage usage : info.getGcInfo().getMemoryUsageAfterGc().values()) {
          after += usage.getUsed();
        }
        synchronized (this) {
          peakAfterGc = Math.max(peakAfterGc, after);
        }
      }
    };

    HeapWatch() {
      super("plan-benchmark-heap");
      setDaemon(true);
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(listener, null, null);
          emitters.add(emitter);
        }
      }
    }

    @Override
    public void run() {
      long nextFull = System.nanoTime() + FULL_GC_SECONDS * 1_000_000_000L;
      while (!isInterrupted()) {
        peakUsed = Math.max(peakUsed, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        if (System.nanoTime() > nextFull) {
          fullCollection();
          nextFull = System.nanoTime() + FULL_GC_SECONDS * 1_000_000_000L;
        }
        try {
          Thread.sleep(SAMPLE_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private void fullCollection() {
      System.gc();
      peakLive = Math.max(peakLive, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    void stopWatching() throws Exception {
      interrupt();
      join();
      fullCollection();
      for (NotificationEmitter emitter : emitters) {
        emitter.removeNotificationListener(listener);
      }
    }
  }

  /** One run's figures; timings and counts as the run manifest records them. */
  public record Result(long rows, Long resumeFrom, String master, int exitCode, double wallSeconds, JsonNode timings,
      JsonNode counts, double driverPeakHeapMb, double driverPeakHeapAfterGcMb, double driverPeakLiveHeapMb, double driverMaxHeapMb, double[] loadBefore,
      double[] loadAfter, String cpuModel, int processors) {

    String table() {
      Map<String, String> lines = new LinkedHashMap<>();
      lines.put("rows", rows + (resumeFrom == null ? "" : " (--resume, output already holding " + resumeFrom + " ids)"));
      lines.put("master", master + ", exit " + exitCode);
      lines.put("counts", counts.toString());
      lines.put("planning", String.format(Locale.ROOT, "%.1f s", timings.path("plan_seconds").asDouble()));
      lines.put("generation", String.format(Locale.ROOT, "%.1f s", timings.path("generate_seconds").asDouble()));
      lines.put("total (manifest)", String.format(Locale.ROOT, "%.1f s", timings.path("total_seconds").asDouble()));
      lines.put("wall (command)", String.format(Locale.ROOT, "%.1f s", wallSeconds));
      lines.put("driver heap", String.format(Locale.ROOT, "peak %.0f MB in use, %.0f MB after any GC, %.0f MB live"
          + " after a full GC (every %d s; -Xmx %.0f MB)",
          driverPeakHeapMb, driverPeakHeapAfterGcMb, driverPeakLiveHeapMb, HeapWatch.FULL_GC_SECONDS, driverMaxHeapMb));
      lines.put("machine", String.format(Locale.ROOT, "%s, %d cores; load average before %.1f, after %.1f",
          cpuModel, processors, loadBefore[0], loadAfter[0]));
      StringBuilder s = new StringBuilder("\n== planning benchmark ==\n");
      lines.forEach((k, v) -> s.append(String.format(Locale.ROOT, "%-18s %s%n", k, v)));
      return s.toString();
    }
  }
}
