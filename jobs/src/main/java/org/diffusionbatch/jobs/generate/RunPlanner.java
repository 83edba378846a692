package org.diffusionbatch.jobs.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.diffusionbatch.jobs.generate.output.ErrorsDataset;
import org.diffusionbatch.jobs.prompts.PromptTable;
import org.diffusionbatch.jobs.prompts.WorkColumns;
import org.diffusionbatch.jobs.prompts.WorkList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans a run: drops duplicate prompt_ids (writing them to the errors dataset), leaves out under
 * --resume what the output already holds, spreads the rows to make over enough partitions that
 * every task slot works, and cuts them into commits. The driver holds counts only; the rows stay on
 * executors, cached.
 *
 * <p>Commits: each row gets a bucket from a hash of its prompt_id, as many buckets as the run could
 * have commits, and each cached partition is sorted by bucket; a commit is a range of buckets. So a
 * commit reads only the cached batches of its own rows (Spark skips the others by their bucket
 * statistics) and making all commits reads the rows once, not once per commit.
 */
final class RunPlanner {
  private static final Logger LOG = LoggerFactory.getLogger(RunPlanner.class);

  private static final String BUCKET = "_commit_bucket";

  /** The rows to make (persisted, with their bucket) and the counts the summary and manifest report. */
  record Plan(Dataset<Row> work, long input, long toMake, long skipped, long duplicates, int partitions, long commits, long buckets) {

    /** The rows of commit {@code commit} (0-based, below {@link #commits}): a range of buckets. */
    Dataset<Row> commit(long commit) {
      if (buckets == 1) {
        return work;
      }
      long from = commit * buckets / commits;
      long to = (commit + 1) * buckets / commits;
      return work.filter(col(BUCKET).geq(from).and(col(BUCKET).lt(to))).drop(BUCKET);
    }
  }

  private RunPlanner() {}

  /**
   * @param done the prompt_ids already in the output (under --resume), or null
   * @param partitionsAsked --partitions, or null for the default
   */
  static Plan plan(SparkSession spark, PromptTable.Read read, Dataset<Row> done, Integer partitionsAsked, long rowsPerCommit,
      ErrorsDataset errors, boolean earlierRunsMayHaveRecorded, String runId) {
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
    // As many buckets as the run could have commits (before --resume's skipped rows are known).
    long buckets = Math.max(1, ceilDiv(read.count() - split.duplicateCount(), rowsPerCommit));
    if (buckets > 1) {
      work = work.withColumn(BUCKET, pmod(hash(col(WorkColumns.PROMPT_ID)), lit(buckets))).sortWithinPartitions(BUCKET);
    }
    work = work.persist(StorageLevel.MEMORY_AND_DISK());
    long toMake = work.count();
    long commits = Math.min(buckets, ceilDiv(toMake, rowsPerCommit));
    if (split.duplicates() != null) {
      errors.appendDuplicates(split.duplicates(), earlierRunsMayHaveRecorded);
    }
    if (split.cached() != null) {
      split.cached().unpersist();
    }
    long skipped = read.count() - split.duplicateCount() - toMake;
    LOG.info("run {}: {} input rows, {} duplicates dropped, {} already in the output, {} to make in {} partitions and {} commits",
        runId, read.count(), split.duplicateCount(), skipped, toMake, partitions, commits);
    return new Plan(work, read.count(), toMake, skipped, split.duplicateCount(), partitions, commits, buckets);
  }

  private static long ceilDiv(long rows, long perCommit) {
    return rows <= 0 ? 0 : (rows + perCommit - 1) / perCommit;
  }

  /**
   * One partition per task slot, so a small prompt file (one split, one partition as read) still
   * keeps every slot busy; more if the input was read in more; never more than there are rows.
   */
  static int defaultPartitions(int slots, int asRead, long rows) {
    return (int) Math.max(asRead, Math.min(slots, Math.max(1, rows)));
  }
}
