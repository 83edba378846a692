package org.diffusionbatch.jobs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.diffusionbatch.core.storage.S3ProxyServer;
import org.jclouds.blobstore.BlobStore;

/**
 * An S3-compatible server in this JVM (S3Proxy over an in-memory jclouds blob store) on
 * 127.0.0.1, path-style, with fixed test credentials. The job reaches it through S3A (Spark) with
 * {@link #sparkConf()} and through core's AWS SDK client with the {@code aws.*} system properties
 * {@link #useAsDefaultCredentials()} sets.
 */
public final class S3ProxyFixture implements AutoCloseable {
  public static final String ACCESS_KEY = S3ProxyServer.ACCESS_KEY;
  public static final String SECRET_KEY = S3ProxyServer.SECRET_KEY;
  public static final String REGION = "us-east-1";

  private final S3ProxyServer server;

  public S3ProxyFixture() throws Exception {
    server = new S3ProxyServer();
  }

  public String endpoint() {
    return server.endpoint();
  }

  /** Core's S3 settings for this server, with the test credentials. */
  public org.diffusionbatch.core.storage.S3Settings settings() {
    return server.settings();
  }

  public BlobStore blobStore() {
    return server.blobStore();
  }

  public void createBucket(String bucket) {
    server.createBucket(bucket);
  }

  public void put(String bucket, String key, byte[] bytes) {
    blobStore().putBlob(bucket, blobStore().blobBuilder(key).payload(bytes).contentLength(bytes.length).build());
  }

  /** Uploads every file under dir to bucket/prefix/, keeping relative paths. */
  public void putDirectory(Path dir, String bucket, String prefix) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        put(bucket, prefix + "/" + dir.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
      }
    }
  }

  /** Spark conf that points S3A at this server; credentials as conf, which only tests may do. */
  public List<String> sparkConf() {
    return List.of(
        "--conf", "spark.hadoop.fs.s3a.access.key=" + ACCESS_KEY,
        "--conf", "spark.hadoop.fs.s3a.secret.key=" + SECRET_KEY,
        "--conf", "spark.hadoop.fs.s3a.connection.ssl.enabled=false",
        "--conf", "spark.hadoop.fs.s3a.change.detection.mode=none");
  }

  /** A local Spark session that reads this server over S3A, as a consumer of the job's output would. */
  public org.apache.spark.sql.SparkSession readerSession() {
    return org.apache.spark.sql.SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false")
        .config("spark.hadoop.fs.s3a.endpoint", endpoint()).config("spark.hadoop.fs.s3a.path.style.access", "true")
        .config("spark.hadoop.fs.s3a.endpoint.region", REGION)
        .config("spark.hadoop.fs.s3a.access.key", ACCESS_KEY)
        .config("spark.hadoop.fs.s3a.secret.key", SECRET_KEY).getOrCreate();
  }

  /** The job's own options for this server. */
  public List<String> jobOptions() {
    return List.of("--s3-endpoint", endpoint(), "--s3-region", REGION, "--s3-path-style");
  }

  /** Core's AWS SDK client takes credentials from the default chain, which reads these properties. */
  public void useAsDefaultCredentials() {
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", SECRET_KEY);
  }

  @Override
  public void close() throws Exception {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    // Hadoop caches file systems per scheme and bucket for the whole JVM: the next test's server is on another port.
    org.apache.hadoop.fs.FileSystem.closeAll();
    server.close();
  }
}
