package org.diffusionbatch.jobs.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3-compatible server in this JVM (S3Proxy over an in-memory jclouds blob store) on
 * 127.0.0.1, path-style, with fixed test credentials. The job reaches it through S3A (Spark) with
 * {@link #sparkConf()} and through core's AWS SDK client with the {@code aws.*} system properties
 * {@link #useAsDefaultCredentials()} sets.
 */
public final class S3ProxyFixture implements AutoCloseable {
  public static final String ACCESS_KEY = "test-access";
  public static final String SECRET_KEY = "test-secret";
  public static final String REGION = "us-east-1";

  private final BlobStoreContext context;
  private final S3Proxy proxy;

  public S3ProxyFixture() throws Exception {
    context = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
        .overrides(new Properties()).build(BlobStoreContext.class);
    proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
    proxy.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(5);
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  public BlobStore blobStore() {
    return context.getBlobStore();
  }

  public void createBucket(String bucket) {
    blobStore().createContainerInLocation(null, bucket);
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
    proxy.stop();
    context.close();
  }
}
