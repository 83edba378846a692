package org.diffusionbatch.jobs.evaluate;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The Spark part of the metric commands: one pass over an image set that computes features on the
 * executors and merges them per group ({@code reduceByKey}, so partial statistics meet on the
 * executors and only one per group reaches the driver).
 */
final class FeaturePass {
  private FeaturePass() {}

  /** @param partitions repartition the rows first (a shuffle of the image bytes); null keeps the partitions as read */
  static Map<GroupKey, SetAccumulator> run(ImageSets.ImageSet set, PassSettings settings, Integer partitions) {
    Dataset<Row> rows = partitions == null ? set.rows() : set.rows().repartition(partitions);
    Map<GroupKey, SetAccumulator> merged = rows.javaRDD()
        .mapPartitionsToPair(new PartitionAccumulator(settings))
        .reduceByKey(SetAccumulator::merge)
        .collectAsMap();
    return new HashMap<>(merged);
  }
}
