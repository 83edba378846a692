package org.diffusionbatch.jobs.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession a run uses: local under {@code ./diffusion-batch generate}, the cluster's under
 * spark-submit, with the job's defaults (S3A endpoint settings, the S3A magic committer for s3a
 * outputs) unless spark-submit or {@code --conf} set them.
 */
public final class JobSession {
  private JobSession() {}

  static final String PATH_OUTPUT_COMMIT_PROTOCOL = "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol";
  static final String BINDING_PARQUET_COMMITTER = "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter";

  /**
   * A session for any of the jobs: {@code defaults} unless spark-submit set them, then {@code conf}.
   *
   * @param master null under spark-submit
   */
  public static SparkSession open(String appName, String master, Map<String, String> defaults, Map<String, String> conf) {
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (master != null) {
      builder.master(master);
    }
    defaults.forEach((key, value) -> {
      // spark-submit --conf arrives as system properties; those win over the job's defaults.
      if (System.getProperty(key) == null) {
        builder.config(key, value);
      }
    });
    conf.forEach(builder::config);
    return builder.getOrCreate();
  }

  /** The Spark conf defaults of a job with these S3 settings that writes to S3 or not. */
  public static Map<String, String> defaults(S3Endpoint s3, boolean writesToS3) {
    Map<String, String> conf = new LinkedHashMap<>();
    // created_at as a standard Parquet timestamp, not Spark's legacy INT96, for pyarrow/datasets/DuckDB readers.
    conf.put("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    // Each commit is a Spark write, so _SUCCESS would appear after the first of many and mark a dead run
    // as done; the run manifest (_runs/<run_id>.json, status complete*) is the completion marker instead.
    conf.put("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false");
    // Spark's UI and event logs hide the same secret-looking keys the manifest and logs do.
    conf.put("spark.redaction.regex", Redaction.SECRET_KEY_REGEX);
    if (s3.endpoint() != null) {
      conf.put("spark.hadoop.fs.s3a.endpoint", s3.endpoint());
    }
    if (s3.region() != null) {
      conf.put("spark.hadoop.fs.s3a.endpoint.region", s3.region());
    }
    if (s3.pathStyle()) {
      conf.put("spark.hadoop.fs.s3a.path.style.access", "true");
    }
    if (writesToS3) {
      // S3 has no rename: the magic committer uploads task output as pending multipart uploads
      // and completes them at job commit, so a failed or killed job leaves no visible data.
      conf.put("spark.hadoop.fs.s3a.committer.name", "magic");
      conf.put("spark.hadoop.fs.s3a.committer.magic.enabled", "true");
      conf.put("spark.sql.sources.commitProtocolClass", PATH_OUTPUT_COMMIT_PROTOCOL);
      conf.put("spark.sql.parquet.output.committer.class", BINDING_PARQUET_COMMITTER);
    }
    return conf;
  }
}
