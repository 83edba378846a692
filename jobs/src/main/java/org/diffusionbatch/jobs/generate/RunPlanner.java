package org.diffusionbatch.jobs.generate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.diffusionbatch.jobs.generate.output.ErrorsDataset;
import org.diffusionbatch.jobs.prompts.PromptTable;
import org.diffusionbatch.jobs.prompts.WorkList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans a run: drops duplicate prompt_ids (writing them to the errors dataset), leaves out under
 * --resume what the output already holds, and spreads the rows to make over enough partitions that
 * every task slot works. The driver holds counts only; the rows stay on executors, cached.
 */
final class RunPlanner {
  private static final Logger LOG = LoggerFactory.getLogger(RunPlanner.class);

  /** The rows to make (persisted) and the counts the summary and manifest report. */
  record Plan(Dataset<Row> work, long input, long toMake, long skipped, long duplicates, int partitions) {}

  private RunPlanner() {}

  /**
   * @param done the prompt_ids already in the output (under --resume), or null
   * @param partitionsAsked --partitions, or null for the default
   */
  static Plan plan(SparkSession spark, PromptTable.Read read, Dataset<Row> done, Integer partitionsAsked, ErrorsDataset errors,
      boolean earlierRunsMayHaveRecorded, String runId) {
    WorkList.Split split = WorkList.dropDuplicates(read.rows());
    Dataset<Row> work = split.keep();
    boolean shuffled = split.shuffled();
    if (done != null) {
      work = WorkList.without(work, done);
      shuffled = true;
    }
    int asRead = read.rows().rdd().getNumPartitions();
    int partitions = partitionsAsked != null ? partitionsAsked : defaultPartitions(TaskSlots.of(spark.sparkContext()), asRead, read.count());
    if (shuffled || partitions != asRead) {
      work = work.repartition(partitions);
    }
    work = work.persist(StorageLevel.MEMORY_AND_DISK());
    long toMake = work.count();
    if (split.duplicates() != null) {
      errors.appendDuplicates(split.duplicates(), earlierRunsMayHaveRecorded);
    }
    if (split.cached() != null) {
      split.cached().unpersist();
    }
    long skipped = read.count() - split.duplicateCount() - toMake;
    LOG.info("run {}: {} input rows, {} duplicates dropped, {} already in the output, {} to make in {} partitions",
        runId, read.count(), split.duplicateCount(), skipped, toMake, partitions);
    return new Plan(work, read.count(), toMake, skipped, split.duplicateCount(), partitions);
  }

  /**
   * One partition per task slot, so a small prompt file (one split, one partition as read) still
   * keeps every slot busy; more if the input was read in more; never more than there are rows.
   */
  static int defaultPartitions(int slots, int asRead, long rows) {
    return (int) Math.max(asRead, Math.min(slots, Math.max(1, rows)));
  }
}
