package org.diffusionbatch.jobs.evaluate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionbatch.jobs.cli.DiffusionBatchCli;
import org.diffusionbatch.jobs.dataset.ImageRows;

/** Runs the metric commands in this JVM as the command line would, and builds small image datasets for them. */
final class MetricsRuns {
  private MetricsRuns() {}

  static final Path ROOT = Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
  static final String TINY_FEATURES = ROOT.resolve("models/tiny-features").toString();
  static final String TINY_CLIP = ROOT.resolve("models/tiny-clip").toString();
  static final String TINY_REFERENCE_STATS = ROOT.resolve("models/tiny-reference/stats.npz").toString();
  static final Path STATS_FIXTURES = ROOT.resolve("jobs/src/test/resources/metric-stats");
  static final Path MODEL_FIXTURES = ROOT.resolve("core/src/test/resources/metric-models");
  static final List<String> NAMES = List.of("red circle", "red square", "red triangle", "green circle", "green square",
      "green triangle", "blue circle", "blue square", "blue triangle", "yellow circle", "yellow square", "yellow triangle");

  /** Spark conf every test run uses: no UI, few shuffle partitions. */
  static final List<String> QUIET = List.of("--conf", "spark.ui.enabled=false", "--conf", "spark.sql.shuffle.partitions=4");

  /** Exit code and what the command printed. */
  record Result(int code, String out, String err) {
    /** The last line printed to stdout. */
    String lastLine() {
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1];
    }

    /** The number after {@code FID: } on the last line. */
    double fid() {
      String[] words = lastLine().split("\\s+");
      if (!words[0].equals("FID:")) {
        throw new AssertionError("last line is not a FID line: " + lastLine() + "\nstderr: " + err);
      }
      return Double.parseDouble(words[1]);
    }
  }

  /** {@code ./diffusion-batch ARGS} in this JVM, capturing stdout and stderr (Spark's log goes to its own console). */
  static synchronized Result run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      code = DiffusionBatchCli.commandLine().execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    Result result = new Result(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    out.println("$ diffusion-batch " + String.join(" ", args) + "\n" + result.out() + result.err() + "exit " + code);
    return result;
  }

  /** As {@link #run}, with {@link #QUIET} appended. */
  static Result runQuiet(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(QUIET);
    return run(all.toArray(String[]::new));
  }

  /** The PNG bytes of the tiny model's answer picture k. */
  static byte[] answer(int k) throws IOException {
    try (var files = Files.list(ROOT.resolve("models/tiny-sd/answers"))) {
      Path file = files.filter(p -> p.getFileName().toString().startsWith(String.format("%02d-", k))).findFirst().orElseThrow();
      return Files.readAllBytes(file);
    }
  }

  /**
   * A Parquet dataset of the 12 answer pictures (as generate writes images), with columns prompt
   * ("a red circle"), group (from {@code groupOf}) and image; {@code extra} more rows with
   * undecodable image bytes in group "broken".
   */
  static Path answersDataset(Path dir, String name, IntFunction<String> groupOf, int extra) throws IOException {
    StructType schema = new StructType()
        .add("prompt", DataTypes.StringType)
        .add("group", DataTypes.StringType)
        .add("image", ImageRows.IMAGE_TYPE);
    List<Row> rows = new ArrayList<>();
    for (int k = 0; k < NAMES.size(); k++) {
      rows.add(RowFactory.create("a " + NAMES.get(k), groupOf.apply(k), RowFactory.create(answer(k), k + ".png")));
    }
    for (int i = 0; i < extra; i++) {
      rows.add(RowFactory.create("a broken image", "broken", RowFactory.create("not a png".getBytes(), "broken.png")));
    }
    Path out = dir.resolve(name);
    SparkSession spark = SparkSession.builder().master("local[1]").appName("fixture").config("spark.ui.enabled", "false")
        .getOrCreate();
    try {
      spark.createDataFrame(rows, schema).coalesce(1).write().parquet(out.toString());
    } finally {
      spark.stop();
    }
    return out;
  }

  /** A folder of the answer pictures' PNG files. */
  static Path answersFolder(Path dir, String name) throws IOException {
    Path out = Files.createDirectories(dir.resolve(name));
    for (int k = 0; k < NAMES.size(); k++) {
      Files.write(out.resolve(String.format("%02d.png", k)), answer(k));
    }
    return out;
  }

  /** metrics.csv as rows of column name to text (no field of these tests needs quoting). */
  static List<Map<String, String>> csv(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    String[] header = lines.get(0).split(",", -1);
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] values = line.split(",", -1);
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.length; i++) {
        row.put(header[i], values[i]);
      }
      rows.add(row);
    }
    return rows;
  }
}
