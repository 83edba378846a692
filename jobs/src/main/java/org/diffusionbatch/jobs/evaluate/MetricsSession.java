package org.diffusionbatch.jobs.evaluate;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.core.storage.S3Settings;

/**
 * The SparkSession of a metrics command: local under {@code ./diffusion-batch}, the cluster's under
 * spark-submit, with S3A pointed where {@code --s3-*} say unless spark-submit or {@code --conf} set it.
 */
final class MetricsSession {
  private MetricsSession() {}

  /** @param master null under spark-submit (the cluster's), else e.g. {@code local[*]} */
  static SparkSession open(String appName, String master, S3Settings s3, Map<String, String> conf) {
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (master != null) {
      builder.master(master);
    }
    defaults(s3).forEach((key, value) -> {
      // spark-submit --conf arrives as system properties; those win over the defaults.
      if (System.getProperty(key) == null) {
        builder.config(key, value);
      }
    });
    conf.forEach(builder::config);
    return builder.getOrCreate();
  }

  static Map<String, String> defaults(S3Settings s3) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    if (s3.endpoint() != null) {
      conf.put("spark.hadoop.fs.s3a.endpoint", s3.endpoint());
    }
    if (s3.region() != null) {
      conf.put("spark.hadoop.fs.s3a.endpoint.region", s3.region());
    }
    if (s3.pathStyle()) {
      conf.put("spark.hadoop.fs.s3a.path.style.access", "true");
    }
    return conf;
  }
}
