package org.diffusionbatch.jobs.generate.executor;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.diffusionbatch.jobs.generate.output.ErrorStaging;

/**
 * The run's accumulators, named so the Spark UI shows them. Updates from the write's tasks count
 * once per partition (result-stage semantics), so retried or killed attempts do not double them;
 * that makes {@link #stagedErrors} name exactly the staged files of the attempts whose output was
 * committed: one small entry per task with failed rows, never the rows themselves.
 */
public record GenerateMetrics(
    LongAccumulator imagesMade,
    LongAccumulator rowsFailed,
    DoubleAccumulator unetSeconds,
    CollectionAccumulator<ErrorStaging.Staged> stagedErrors)
    implements Serializable {

  public static GenerateMetrics register(SparkContext sc) {
    return new GenerateMetrics(
        sc.longAccumulator("diffusionbatch images made"),
        sc.longAccumulator("diffusionbatch rows failed"),
        sc.doubleAccumulator("diffusionbatch UNet seconds"),
        sc.collectionAccumulator("diffusionbatch staged failed rows"));
  }
}
