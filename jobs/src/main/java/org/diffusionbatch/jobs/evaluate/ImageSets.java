package org.diffusionbatch.jobs.evaluate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sha2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A set of images as the metric jobs read it, whatever it is stored as: a Parquet dataset with an
 * image column (a struct {@code {bytes, path}} as generate and Hugging Face datasets write it, or
 * a binary column), or a folder of PNG/JPEG files. Rows come out with the encoded image, a row key
 * (SHA-256 of the bytes: the same image gets the same key on any cluster, so seeded samples do not
 * depend on partitioning), the prompt when asked for, and the group-by columns.
 */
final class ImageSets {
  private ImageSets() {}

  static final String IMAGE = "_db_image";
  static final String KEY = "_db_key";
  static final String PROMPT = "_db_prompt";
  static final String IMAGE_GLOB = "*.{png,PNG,jpg,JPG,jpeg,JPEG}";

  enum Kind { PARQUET, IMAGE_FILES }

  /**
   * @param rows IMAGE (binary), KEY (string), PROMPT (string, only when a prompt column was asked for), then the group columns
   * @param groupTypes the group columns' Spark types, in order
   */
  record ImageSet(String uri, Kind kind, Dataset<Row> rows, List<String> groupColumns, List<DataType> groupTypes) {}

  /**
   * Reads the set's schema (not its rows) and checks the columns asked for.
   *
   * @param option the option that named the set, for messages
   * @param imageColumn the image column, or null to find it
   * @param promptColumn the prompt column to carry, or null
   * @throws IllegalArgumentException naming the set, what is missing and what to do
   */
  static ImageSet read(SparkSession spark, String option, String uri, String imageColumn, String promptColumn,
      List<String> groupBy) {
    Kind kind = kindOf(spark.sparkContext().hadoopConfiguration(), option, uri);
    if (kind == Kind.IMAGE_FILES) {
      if (!groupBy.isEmpty() || promptColumn != null) {
        throw new IllegalArgumentException(option + " " + uri + " is a folder of image files: it has no "
            + (promptColumn != null ? "prompt column for CLIP score" : "columns to group by")
            + "; give a Parquet dataset (e.g. a generate output)");
      }
      Dataset<Row> files = spark.read().format("binaryFile").option("pathGlobFilter", IMAGE_GLOB)
          .option("recursiveFileLookup", "true").load(uri);
      Dataset<Row> rows = files.select(col("content").as(IMAGE), sha2(col("content"), 256).as(KEY));
      return new ImageSet(uri, kind, rows, List.of(), List.of());
    }
    Dataset<Row> table;
    try {
      table = spark.read().parquet(uri);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(option + " " + uri + " cannot be read as Parquet: " + e.getMessage(), e);
    }
    StructType schema = table.schema();
    Column bytes = imageBytes(schema, option, uri, imageColumn);
    List<Column> select = new ArrayList<>(List.of(bytes.as(IMAGE), sha2(bytes, 256).as(KEY)));
    if (promptColumn != null) {
      StructField prompt = field(schema, promptColumn);
      if (prompt == null || prompt.dataType() != DataTypes.StringType) {
        throw new IllegalArgumentException(option + " " + uri + " has no string column '" + promptColumn
            + "' for CLIP score; its columns are " + describe(schema) + "; name the prompt column with --prompt-column");
      }
      select.add(col(quote(promptColumn)).as(PROMPT));
    }
    List<DataType> groupTypes = new ArrayList<>();
    for (String name : groupBy) {
      StructField f = field(schema, name);
      if (f == null) {
        throw new IllegalArgumentException("--group-by column '" + name + "' is not in " + option + " " + uri
            + "; its columns are " + describe(schema));
      }
      if (f.dataType() instanceof StructType || f.dataType() == DataTypes.BinaryType
          || f.dataType() instanceof org.apache.spark.sql.types.ArrayType || f.dataType() instanceof org.apache.spark.sql.types.MapType) {
        throw new IllegalArgumentException("--group-by column '" + name + "' is " + f.dataType().simpleString()
            + "; group by plain columns (strings, numbers, booleans, dates)");
      }
      groupTypes.add(f.dataType());
      select.add(col(quote(name)));
    }
    return new ImageSet(uri, kind, table.select(select.toArray(Column[]::new)), List.copyOf(groupBy), groupTypes);
  }

  /** The column holding the encoded images: the one named, else {@code image}, else the only image-like column. */
  private static Column imageBytes(StructType schema, String option, String uri, String imageColumn) {
    if (imageColumn != null) {
      StructField f = field(schema, imageColumn);
      if (f == null || bytesOf(f) == null) {
        throw new IllegalArgumentException(option + " " + uri + " has no image column '" + imageColumn + "' (binary, or a"
            + " struct with a binary 'bytes' field); its columns are " + describe(schema));
      }
      return bytesOf(f);
    }
    StructField image = field(schema, "image");
    if (image != null && bytesOf(image) != null) {
      return bytesOf(image);
    }
    List<StructField> candidates = Arrays.stream(schema.fields()).filter(f -> bytesOf(f) != null).toList();
    if (candidates.size() == 1) {
      return bytesOf(candidates.get(0));
    }
    throw new IllegalArgumentException(option + " " + uri + (candidates.isEmpty()
        ? " has no image column (binary, or a struct with a binary 'bytes' field)"
        : " has several image-like columns " + candidates.stream().map(StructField::name).toList() + "; choose one with --image-column")
        + "; its columns are " + describe(schema));
  }

  private static Column bytesOf(StructField f) {
    if (f.dataType() == DataTypes.BinaryType) {
      return col(quote(f.name()));
    }
    if (f.dataType() instanceof StructType struct) {
      for (StructField inner : struct.fields()) {
        if (inner.name().equals("bytes") && inner.dataType() == DataTypes.BinaryType) {
          return col(quote(f.name()) + ".bytes");
        }
      }
    }
    return null;
  }

  private static StructField field(StructType schema, String name) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private static String describe(StructType schema) {
    List<String> out = new ArrayList<>();
    for (StructField f : schema.fields()) {
      out.add(f.name() + " " + f.dataType().simpleString());
    }
    return out.toString();
  }

  /** A Parquet dataset or a folder of image files, from the first data files found. */
  static Kind kindOf(Configuration hadoop, String option, String uri) {
    try {
      Path given = new Path(uri);
      FileSystem fs = given.getFileSystem(hadoop);
      Path root = fs.makeQualified(given);
      if (!fs.exists(root)) {
        throw new IllegalArgumentException(option + " " + uri + " does not exist");
      }
      FileStatus status = fs.getFileStatus(root);
      if (status.isFile()) {
        return kindOfFile(root.getName(), option, uri);
      }
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
      int seen = 0;
      while (files.hasNext() && seen < 10_000) {
        LocatedFileStatus file = files.next();
        seen++;
        if (hidden(root, file.getPath())) {
          continue;
        }
        Kind kind = kindOfName(file.getPath().getName());
        if (kind != null) {
          return kind;
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(option + " " + uri + " cannot be listed: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException(option + " " + uri + " holds no Parquet files and no .png/.jpg/.jpeg images");
  }

  private static Kind kindOfFile(String name, String option, String uri) {
    Kind kind = kindOfName(name);
    if (kind == null) {
      throw new IllegalArgumentException(option + " " + uri + " is neither a Parquet file nor a PNG/JPEG image");
    }
    return kind;
  }

  private static Kind kindOfName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".parquet")) {
      return Kind.PARQUET;
    }
    if (lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
      return Kind.IMAGE_FILES;
    }
    return null;
  }

  /** Spark skips files and folders whose names start with '_' or '.' (run manifests, checksums). */
  private static boolean hidden(Path root, Path file) {
    for (Path p = file; p != null && !p.equals(root); p = p.getParent()) {
      String name = p.getName();
      if (name.startsWith("_") || name.startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
