package org.diffusionbatch.jobs.prompts;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * What a run has to make: the prompt table with duplicate prompt_ids dropped (the first row in
 * file order is kept) and, under --resume, the prompt_ids already in the output left out. Everything
 * stays a Dataset: the driver learns only counts, however many rows repeat an id.
 */
public final class WorkList {
  private WorkList() {}

  private static final String FIRST = "_first";
  private static final String COUNT = "_n";
  private static final String DUPLICATE_ID = "_duplicate_id";
  private static final String DONE_ID = "_done_id";

  /**
   * The rows to make, the duplicates dropped (prompt_id, input_json, reason; null when there are
   * none), how many those are, and whether the rows were reshuffled (a join) or are still as read.
   * {@code cached} is what to unpersist once keep and duplicates have been used.
   */
  public record Split(Dataset<Row> keep, Dataset<Row> duplicates, long duplicateCount, boolean shuffled, Dataset<Row> cached) {}

  public static Split dropDuplicates(Dataset<Row> prompts) {
    Column where = struct(col(WorkColumns.SOURCE_FILE), col(WorkColumns.SOURCE_POSITION));
    // The ids that occur more than once, with where each first occurs: cached on executors (ids only).
    Dataset<Row> repeatedIds = prompts.groupBy(WorkColumns.PROMPT_ID)
        .agg(count(lit(1)).as(COUNT), min(where).as(FIRST))
        .filter(col(COUNT).gt(1))
        .withColumnRenamed(WorkColumns.PROMPT_ID, DUPLICATE_ID)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Row total = repeatedIds.agg(sum(col(COUNT).minus(1))).head();
    long duplicateCount = total.isNullAt(0) ? 0 : total.getLong(0);
    if (duplicateCount == 0) {
      repeatedIds.unpersist();
      return new Split(prompts, null, 0, false, null);
    }
    // A shuffle join, never a broadcast: the repeated ids may be millions, and a broadcast gathers them on the driver.
    Dataset<Row> marked = prompts.join(repeatedIds.drop(COUNT).hint("shuffle_hash"),
            col(WorkColumns.PROMPT_ID).equalTo(col(DUPLICATE_ID)), "left")
        .drop(DUPLICATE_ID);
    Column isDuplicate = col(FIRST).isNotNull().and(where.notEqual(col(FIRST)));
    Dataset<Row> keep = marked.filter(isDuplicate.unary_$bang()).drop(FIRST);
    Dataset<Row> duplicates = marked.filter(isDuplicate)
        .select(col(WorkColumns.PROMPT_ID), col(WorkColumns.INPUT_JSON),
            concat(lit("duplicate prompt_id; the first row with this id is kept ("),
                col(FIRST + "." + WorkColumns.SOURCE_FILE), lit(" row "),
                col(FIRST + "." + WorkColumns.SOURCE_POSITION).plus(1).cast("string"), lit(")")).as("reason"));
    return new Split(keep, duplicates, duplicateCount, true, repeatedIds);
  }

  /** The rows whose prompt_id is not among the given ids (a shuffle join: the done ids may be millions). */
  public static Dataset<Row> without(Dataset<Row> rows, Dataset<Row> doneIds) {
    Dataset<Row> done = doneIds.select(col("prompt_id").as(DONE_ID)).hint("shuffle_hash");
    return rows.join(done, col(WorkColumns.PROMPT_ID).equalTo(col(DONE_ID)), "left_anti");
  }
}
