package org.diffusionbatch.jobs.prompts;

import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffusionbatch.jobs.spark.ConfigurationException;
import org.diffusionbatch.jobs.spark.StorageAccess;

/**
 * The prompt table as the job reads it, whatever its format: one row per input row with
 * {@link WorkColumns} (optional columns as strings, null when absent), the file and position it
 * came from, its prompt_id (given or derived by {@link StableIds}), the input row as JSON, and for
 * JSON Lines the text of a line that is not JSON.
 *
 * <p>Positions are counted per file in file order without a shuffle (a zipWithIndex per file), so
 * the partitioning stays as read and the ids come out the same on every read of the same files.
 * Blank text lines (Java's {@link String#isBlank}: spaces, tabs, ...) are spacing, not prompts: they
 * keep their place in the numbering, are not counted as input and are not made.
 */
public final class PromptTable {
  private PromptTable() {}

  /** Spark's column for a JSON line it could not parse (PERMISSIVE mode). */
  private static final String CORRUPT_RECORD = "_corrupt_record";

  /**
   * The table, its row count (blank text lines excluded), and how many rows held bytes that are not
   * UTF-8 (Spark reads them as U+FFFD) with the first such row, for the warning.
   */
  public record Read(Dataset<Row> rows, long count, long invalidUtf8Rows, String firstInvalidUtf8) {}

  public static Read read(SparkSession spark, String uri, PromptFormat format) {
    Dataset<Row> raw = readRaw(spark, uri, format);
    List<String> columns = Arrays.asList(raw.columns());
    String formatName = format.name().toLowerCase(Locale.ROOT);
    if (!columns.contains(WorkColumns.PROMPT)) {
      if (columns.equals(List.of(CORRUPT_RECORD))) {
        throw new ConfigurationException("--prompts " + uri + " (jsonl): no line is a JSON object; check the file, or set --prompts-format");
      }
      throw new ConfigurationException("--prompts " + uri + " (" + formatName + ") has no '"
          + WorkColumns.PROMPT + "' column; its columns are " + columns);
    }
    for (StructField field : raw.schema().fields()) {
      boolean used = field.name().equals(WorkColumns.PROMPT) || WorkColumns.OPTIONAL.contains(field.name());
      if (used && !isAtomic(field.dataType())) {
        throw new ConfigurationException("--prompts " + uri + " (" + formatName + "): column '" + field.name() + "' is "
            + field.dataType().simpleString() + "; it must hold one " + (field.name().equals(WorkColumns.PROMPT) ? "string" : "value")
            + " per row (one prompt per row: make a row per list element)");
      }
    }
    List<Column> select = new ArrayList<>();
    select.add(col("_metadata.file_path").as(WorkColumns.SOURCE_FILE));
    select.add(col(WorkColumns.PROMPT).cast(DataTypes.StringType).as(WorkColumns.PROMPT));
    for (String name : WorkColumns.OPTIONAL) {
      select.add((columns.contains(name) ? col(name).cast(DataTypes.StringType) : lit(null).cast(DataTypes.StringType)).as(name));
    }
    Column[] all = columns.stream().map(c -> col("`" + c + "`")).toArray(Column[]::new);
    select.add(to_json(struct(all)).as(WorkColumns.INPUT_JSON));
    select.add((columns.contains(CORRUPT_RECORD) ? col(CORRUPT_RECORD) : lit(null).cast(DataTypes.StringType)).as(WorkColumns.MALFORMED));
    Read read = withPositions(spark, raw.select(select.toArray(Column[]::new)), qualifiedRoot(spark, uri), format == PromptFormat.TEXT);
    Dataset<Row> rows = read.rows();

    spark.udf().register("diffusionbatch_prompt_id",
        (UDF3<String, Long, String, String>) StableIds::promptId, DataTypes.StringType);
    Column givenId = when(length(trim(col(WorkColumns.PROMPT_ID))).gt(0), trim(col(WorkColumns.PROMPT_ID)));
    rows = rows.withColumn(WorkColumns.PROMPT_ID, coalesce(givenId,
        callUDF("diffusionbatch_prompt_id", col(WorkColumns.SOURCE_FILE), col(WorkColumns.SOURCE_POSITION), col(WorkColumns.PROMPT))));
    return new Read(rows, read.count(), read.invalidUtf8Rows(), read.firstInvalidUtf8());
  }

  private static boolean isAtomic(DataType type) {
    return !(type instanceof ArrayType || type instanceof MapType || type instanceof StructType || type instanceof BinaryType);
  }

  private static Dataset<Row> readRaw(SparkSession spark, String uri, PromptFormat format) {
    try {
      return switch (format) {
        case TEXT -> spark.read().text(uri).withColumnRenamed("value", WorkColumns.PROMPT);
        case JSONL -> spark.read().option("columnNameOfCorruptRecord", CORRUPT_RECORD).json(uri);
        case CSV -> spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"").csv(uri);
        case PARQUET -> spark.read().parquet(uri);
      };
    } catch (Exception e) { // Spark's SparkException is checked in Java's terms, though undeclared
      // Reading infers the schema (opens files) right here: what fails now is the input's, not the job's.
      throw new ConfigurationException("--prompts " + uri + " cannot be read as " + format.name().toLowerCase(Locale.ROOT)
          + ": " + StorageAccess.firstLine(rootCause(e)) + " (check the file, or set --prompts-format)", e);
    }
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  /** The --prompts location as Spark spells file paths, so source files can be named relative to it. */
  private static String qualifiedRoot(SparkSession spark, String uri) {
    Path path = new Path(uri);
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.makeQualified(path).toUri().toString().replaceAll("/+$", "");
    } catch (IOException e) {
      throw new ConfigurationException("--prompts " + uri + ": " + e.getMessage(), e);
    }
  }

  /** What the counting pass learns of one file's rows in one partition. */
  private record FileCount(int partition, String file, long rows, long blank, long invalidUtf8, long firstInvalidUtf8)
      implements java.io.Serializable {}

  /** Adds source_position (per file, 0-based, file order), makes source_file relative to the root, drops blank text lines. */
  private static Read withPositions(SparkSession spark, Dataset<Row> rows, String root, boolean skipBlank) {
    JavaRDD<Row> rdd = rows.javaRDD();
    int inputJson = Arrays.asList(rows.columns()).indexOf(WorkColumns.INPUT_JSON);
    // Pass 1: rows per (partition, file). Partitions hold a file's splits in file order.
    List<FileCount> counts = rdd.mapPartitionsWithIndex((partition, it) -> {
      Map<String, long[]> perFile = new LinkedHashMap<>();
      while (it.hasNext()) {
        Row row = it.next();
        long[] n = perFile.computeIfAbsent(row.getString(0), f -> new long[] {0, 0, 0, -1});
        String prompt = row.getString(1);
        n[1] += skipBlank && (prompt == null || prompt.isBlank()) ? 1 : 0;
        String input = row.getString(inputJson);
        if (input != null && input.indexOf('\uFFFD') >= 0) {
          n[2]++;
          n[3] = n[3] < 0 ? n[0] : n[3];
        }
        n[0]++;
      }
      List<FileCount> out = new ArrayList<>();
      perFile.forEach((file, n) -> out.add(new FileCount(partition, file, n[0], n[1], n[2], n[3])));
      return out.iterator();
    }, true).collect();
    Map<Integer, Map<String, Long>> starts = new TreeMap<>();
    Map<String, Long> running = new HashMap<>();
    String firstInvalid = null;
    long invalid = 0;
    for (FileCount c : counts.stream().sorted((a, b) -> Integer.compare(a.partition(), b.partition())).toList()) {
      long start = running.getOrDefault(c.file(), 0L);
      starts.computeIfAbsent(c.partition(), p -> new HashMap<>()).put(c.file(), start);
      running.put(c.file(), start + c.rows());
      invalid += c.invalidUtf8();
      if (firstInvalid == null && c.firstInvalidUtf8() >= 0) {
        firstInvalid = relative(root, c.file()) + (skipBlank ? " line " : " row ") + (start + c.firstInvalidUtf8() + 1);
      }
    }
    long rowCount = counts.stream().mapToLong(c -> c.rows() - c.blank()).sum();
    Broadcast<Map<Integer, Map<String, Long>>> startsByPartition =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(starts);
    StructType schema = rows.schema().add(WorkColumns.SOURCE_POSITION, DataTypes.LongType, false);
    JavaRDD<Row> positioned = rdd.mapPartitionsWithIndex((partition, it) -> {
      Map<String, Long> next = new HashMap<>(startsByPartition.value().getOrDefault(partition, Map.of()));
      return new Iterator<Row>() {
        private Row ahead;

        @Override
        public boolean hasNext() {
          while (ahead == null && it.hasNext()) {
            Row row = it.next();
            String file = row.getString(0);
            long position = next.merge(file, 1L, Long::sum) - 1;
            String prompt = row.getString(1);
            if (skipBlank && (prompt == null || prompt.isBlank())) {
              continue;
            }
            Object[] values = new Object[row.length() + 1];
            for (int i = 0; i < row.length(); i++) {
              values[i] = row.get(i);
            }
            values[0] = relative(root, file);
            values[row.length()] = position;
            ahead = RowFactory.create(values);
          }
          return ahead != null;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          Row row = ahead;
          ahead = null;
          return row;
        }
      };
    }, true);
    return new Read(spark.createDataFrame(positioned, schema), rowCount, invalid, firstInvalid);
  }

  /** The file's path relative to the root, decoded (Spark hands both percent-encoded): "my prompts.txt", not "my%20prompts.txt". */
  static String relative(String root, String file) {
    String rootPath = decodedPath(root);
    String filePath = decodedPath(file);
    if (filePath.startsWith(rootPath + "/")) {
      return filePath.substring(rootPath.length() + 1);
    }
    return filePath.substring(filePath.lastIndexOf('/') + 1);
  }

  private static String decodedPath(String uri) {
    try {
      String path = new URI(uri).getPath();
      return path == null ? uri : path.replaceAll("/+$", "");
    } catch (java.net.URISyntaxException notEncoded) {
      return new Path(uri).toUri().getPath().replaceAll("/+$", "");
    }
  }
}
