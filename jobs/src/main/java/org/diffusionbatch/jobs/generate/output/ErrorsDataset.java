package org.diffusionbatch.jobs.generate.output;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.timestamp_millis;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionbatch.jobs.prompts.WorkColumns;
import org.diffusionbatch.jobs.spark.StorageUris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The errors dataset ({@code <output>_errors}, Parquet, {@link ErrorRecord#SCHEMA}), appended by Spark
 * from executors: a run's duplicates once planned, and after each commit the failed rows its tasks
 * staged. One row per prompt_id and attempt: each run that tries a row and fails adds a row with its
 * run_id; a duplicate already recorded by an earlier run is not recorded again.
 */
public final class ErrorsDataset {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorsDataset.class);

  /** The staged JSON lines ({@link ErrorStaging}). */
  static final StructType STAGED_SCHEMA = new StructType()
      .add("prompt_id", DataTypes.StringType)
      .add("input", DataTypes.StringType)
      .add("stage", DataTypes.StringType)
      .add("reason", DataTypes.StringType)
      .add("run_id", DataTypes.StringType)
      .add("created_at_ms", DataTypes.LongType);

  private final SparkSession spark;
  private final String uri;
  private final String runId;

  public ErrorsDataset(SparkSession spark, String uri, String runId) {
    this.spark = spark;
    this.uri = uri;
    this.runId = runId;
  }

  /**
   * Appends this run's duplicate rows (prompt_id, input_json, reason), leaving out those an earlier
   * run already recorded with the same input and reason; returns nothing, counts are the planner's.
   */
  public void appendDuplicates(Dataset<Row> duplicates, boolean earlierRunsMayHaveRecorded) {
    Dataset<Row> rows = duplicates.select(col(WorkColumns.PROMPT_ID).as("prompt_id"), col(WorkColumns.INPUT_JSON).as("input"),
        lit("input").as("stage"), col("reason"), lit(runId).as("run_id"), current_timestamp().as("created_at"));
    Dataset<Row> recorded = earlierRunsMayHaveRecorded ? existing() : null;
    if (recorded != null) {
      rows = rows.join(recorded.select("prompt_id", "input", "stage", "reason").hint("shuffle_hash"),
          rows.col("prompt_id").eqNullSafe(recorded.col("prompt_id")).and(rows.col("input").eqNullSafe(recorded.col("input")))
              .and(rows.col("stage").equalTo(recorded.col("stage"))).and(rows.col("reason").equalTo(recorded.col("reason"))),
          "left_anti");
    }
    rows.write().mode(SaveMode.Append).parquet(uri);
  }

  /** Copies what the committed task attempts staged into the dataset, then deletes this run's staging folder. */
  public void publish(List<ErrorStaging.Staged> staged) {
    if (!staged.isEmpty()) {
      String[] files = staged.stream().map(ErrorStaging.Staged::file).toArray(String[]::new);
      spark.read().schema(STAGED_SCHEMA).json(files)
          .select(col("prompt_id"), col("input"), col("stage"), col("reason"), col("run_id"),
              timestamp_millis(col("created_at_ms")).as("created_at"))
          .coalesce(1)
          .write().mode(SaveMode.Append).parquet(uri);
    }
    deleteStaging(runId);
  }

  /** Deletes the staging folder of a run (this one, or one that died before publishing). */
  void deleteStaging(String ofRun) {
    Path dir = new Path(ErrorStaging.directory(uri, ofRun));
    try {
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(dir)) {
        fs.delete(dir, true);
      }
      Path staging = dir.getParent();
      if (fs.exists(staging) && fs.listStatus(staging).length == 0) {
        fs.delete(staging, true);
      }
    } catch (IOException e) {
      LOG.warn("could not delete the staged failed rows {}: {}", dir, e.toString());
    }
  }

  /** Deletes the staging folders runs that died left behind (this run holds the lease, so none is live). */
  public void deleteLeftoverStaging() {
    Path staging = new Path(StorageUris.child(uri, OutputContents.STAGING));
    try {
      FileSystem fs = staging.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(staging)) {
        fs.delete(staging, true);
      }
    } catch (IOException e) {
      LOG.warn("could not delete leftover staged failed rows in {}: {}", staging, e.toString());
    }
  }

  /** The rows already in the dataset, or null when it has none. */
  private Dataset<Row> existing() {
    try {
      return spark.read().parquet(uri);
    } catch (RuntimeException e) {
      return null; // no data yet (missing, or only a staging folder)
    }
  }
}
