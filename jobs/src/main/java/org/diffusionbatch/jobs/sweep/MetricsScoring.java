package org.diffusionbatch.jobs.sweep;

import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.jobs.generate.ConfigurationException;

/** The sweep's scoring over core's metrics (feature statistics, FID, KID, CLIP score). */
final class MetricsScoring {
  private MetricsScoring() {}

  /** Loads the feature model (and CLIP) on the driver, reads and checks the reference; nothing else is done yet. */
  static SweepScoring open(SparkSession spark, SweepOptions options, ModelRuntime runtime) {
    throw new ConfigurationException("sweep: the metrics (core.metrics) are not in this build yet");
  }
}
