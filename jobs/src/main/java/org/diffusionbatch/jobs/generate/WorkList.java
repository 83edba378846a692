package org.diffusionbatch.jobs.generate;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a run has to make: the prompt table with duplicate prompt_ids dropped (the first row in
 * file order is kept) and, under --resume, the prompt_ids already in the output left out.
 */
public final class WorkList {
  private WorkList() {}

  private static final String FIRST = "_first";
  private static final String DUPLICATE_ID = "_duplicate_id";
  private static final String DONE_ID = "_done_id";

  /** The rows to make, and the duplicates dropped (prompt_id, input_json, reason). */
  public record Split(Dataset<Row> keep, List<Row> duplicates) {}

  public static Split dropDuplicates(Dataset<Row> prompts) {
    Column where = struct(col(WorkColumns.SOURCE_FILE), col(WorkColumns.SOURCE_POSITION));
    // The ids that occur more than once, with where each first occurs: normally none or few, so they
    // are collected, and with none the prompts go on untouched (no join, partitioning as read).
    Dataset<Row> repeatedIds = prompts.groupBy(WorkColumns.PROMPT_ID)
        .agg(count(lit(1)).as("_n"), min(where).as(FIRST))
        .filter(col("_n").gt(1))
        .drop("_n")
        .withColumnRenamed(WorkColumns.PROMPT_ID, DUPLICATE_ID);
    List<Row> repeated = repeatedIds.collectAsList();
    if (repeated.isEmpty()) {
      return new Split(prompts, List.of());
    }
    // A broadcast join keeps the prompts' partitioning (a shuffle join would let AQE squeeze them into one task).
    Dataset<Row> first = broadcast(prompts.sparkSession().createDataFrame(repeated, repeatedIds.schema()));
    Dataset<Row> marked = prompts.join(first, col(WorkColumns.PROMPT_ID).equalTo(col(DUPLICATE_ID)), "left")
        .drop(DUPLICATE_ID);
    Column isDuplicate = col(FIRST).isNotNull().and(where.notEqual(col(FIRST)));
    Dataset<Row> keep = marked.filter(isDuplicate.unary_$bang()).drop(FIRST);
    List<Row> duplicates = marked.filter(isDuplicate)
        .select(col(WorkColumns.PROMPT_ID), col(WorkColumns.INPUT_JSON),
            concat(lit("duplicate prompt_id; the first row with this id is kept ("),
                col(FIRST + "." + WorkColumns.SOURCE_FILE), lit(" row "), col(FIRST + "." + WorkColumns.SOURCE_POSITION).cast("string"),
                lit(")")).as("reason"))
        .collectAsList();
    return new Split(keep, duplicates);
  }

  /** The rows whose prompt_id is not among the given ids (a shuffle join: the done ids may be millions). */
  static Dataset<Row> without(Dataset<Row> rows, Dataset<Row> doneIds) {
    Dataset<Row> done = doneIds.select(col("prompt_id").as(DONE_ID));
    return rows.join(done, col(WorkColumns.PROMPT_ID).equalTo(col(DONE_ID)), "left_anti");
  }
}
