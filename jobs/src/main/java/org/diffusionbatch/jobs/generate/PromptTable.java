package org.diffusionbatch.jobs.generate;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The prompt table as the job reads it, whatever its format: one row per input row with
 * {@link WorkColumns} (optional columns as strings, null when absent), the file and position it
 * came from, its prompt_id (given or derived by {@link StableIds}) and the input row as JSON.
 *
 * <p>Positions are counted per file in file order without a shuffle (a zipWithIndex per file), so
 * the partitioning stays as read and the ids come out the same on every read of the same files.
 */
public final class PromptTable {
  private PromptTable() {}

  public static Read read(SparkSession spark, String uri, PromptFormat format) {
    Dataset<Row> raw = readRaw(spark, uri, format);
    List<String> columns = Arrays.asList(raw.columns());
    if (!columns.contains(WorkColumns.PROMPT)) {
      throw new ConfigurationException("--prompts " + uri + " (" + format.name().toLowerCase() + ") has no '"
          + WorkColumns.PROMPT + "' column; its columns are " + columns);
    }
    List<Column> select = new ArrayList<>();
    select.add(col("_metadata.file_path").as(WorkColumns.SOURCE_FILE));
    select.add(col(WorkColumns.PROMPT).cast(DataTypes.StringType).as(WorkColumns.PROMPT));
    for (String name : WorkColumns.OPTIONAL) {
      select.add((columns.contains(name) ? col(name).cast(DataTypes.StringType) : lit(null).cast(DataTypes.StringType)).as(name));
    }
    Column[] all = columns.stream().map(c -> col("`" + c + "`")).toArray(Column[]::new);
    select.add(to_json(struct(all)).as(WorkColumns.INPUT_JSON));
    Read read = withPositions(spark, raw.select(select.toArray(Column[]::new)), qualifiedRoot(spark, uri), format == PromptFormat.TEXT);
    Dataset<Row> rows = read.rows();

    spark.udf().register("diffusionbatch_prompt_id",
        (UDF3<String, Long, String, String>) StableIds::promptId, DataTypes.StringType);
    Column givenId = when(length(trim(col(WorkColumns.PROMPT_ID))).gt(0), trim(col(WorkColumns.PROMPT_ID)));
    rows = rows.withColumn(WorkColumns.PROMPT_ID, coalesce(givenId,
        callUDF("diffusionbatch_prompt_id", col(WorkColumns.SOURCE_FILE), col(WorkColumns.SOURCE_POSITION), col(WorkColumns.PROMPT))));
    if (format == PromptFormat.TEXT) {
      // Blank lines in a text file are spacing, not prompts; they keep their place in the numbering.
      rows = rows.filter(length(trim(col(WorkColumns.PROMPT))).gt(0));
    }
    return new Read(rows, read.count());
  }

  private static Dataset<Row> readRaw(SparkSession spark, String uri, PromptFormat format) {
    try {
      return switch (format) {
        case TEXT -> spark.read().text(uri).withColumnRenamed("value", WorkColumns.PROMPT);
        case JSONL -> spark.read().json(uri);
        case CSV -> spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"").csv(uri);
        case PARQUET -> spark.read().parquet(uri);
      };
    } catch (Exception e) {
      if (!(e instanceof org.apache.spark.sql.AnalysisException)) {
        throw e;
      }
      throw new ConfigurationException("--prompts " + uri + " cannot be read as " + format.name().toLowerCase()
          + ": " + e.getMessage() + " (check the path, or set --prompts-format)", e);
    }
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

  /** Adds source_position (per file, 0-based, file order) and makes source_file relative to the root. */
  /** Rows of one file in one partition, and how many of them have a blank prompt. */
  private record FileCount(int partition, String file, long rows, long blank) implements java.io.Serializable {}

  /** The table and its row count (blank text lines excluded), known from the positions pass. */
  public record Read(Dataset<Row> rows, long count) {}

  private static Read withPositions(SparkSession spark, Dataset<Row> rows, String root, boolean skipBlank) {
    JavaRDD<Row> rdd = rows.javaRDD();
    // Pass 1: rows per (partition, file). Partitions hold a file's splits in file order.
    List<FileCount> counts = rdd.mapPartitionsWithIndex((partition, it) -> {
      Map<String, long[]> perFile = new LinkedHashMap<>();
      while (it.hasNext()) {
        Row row = it.next();
        long[] n = perFile.computeIfAbsent(row.getString(0), f -> new long[2]);
        n[0]++;
        String prompt = row.getString(1);
        n[1] += prompt == null || prompt.isBlank() ? 1 : 0;
      }
      List<FileCount> out = new ArrayList<>();
      perFile.forEach((file, n) -> out.add(new FileCount(partition, file, n[0], n[1])));
      return out.iterator();
    }, true).collect();
    Map<Integer, Map<String, Long>> starts = new TreeMap<>();
    Map<String, Long> running = new HashMap<>();
    counts.stream().sorted((a, b) -> Integer.compare(a.partition(), b.partition())).forEach(c -> {
      long start = running.getOrDefault(c.file(), 0L);
      starts.computeIfAbsent(c.partition(), p -> new HashMap<>()).put(c.file(), start);
      running.put(c.file(), start + c.rows());
    });
    long rowCount = counts.stream().mapToLong(c -> c.rows() - (skipBlank ? c.blank() : 0)).sum();
    Broadcast<Map<Integer, Map<String, Long>>> startsByPartition =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(starts);
    StructType schema = rows.schema().add(WorkColumns.SOURCE_POSITION, DataTypes.LongType, false);
    JavaRDD<Row> positioned = rdd.mapPartitionsWithIndex((partition, it) -> {
      Map<String, Long> next = new HashMap<>(startsByPartition.value().getOrDefault(partition, Map.of()));
      return new Iterator<Row>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public Row next() {
          Row row = it.next();
          String file = row.getString(0);
          long position = next.merge(file, 1L, Long::sum) - 1;
          Object[] values = new Object[row.length() + 1];
          for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
          }
          values[0] = relative(root, file);
          values[row.length()] = position;
          return RowFactory.create(values);
        }
      };
    }, true);
    return new Read(spark.createDataFrame(positioned, schema), rowCount);
  }

  static String relative(String root, String file) {
    if (file.startsWith(root + "/")) {
      return file.substring(root.length() + 1);
    }
    return file.substring(file.lastIndexOf('/') + 1);
  }
}
