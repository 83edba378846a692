package org.diffusionbatch.bench.sim;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;

/**
 * An S3-compatible server in this JVM for the benchmarks' s3a:// outputs: S3Proxy on 127.0.0.1
 * (an ephemeral port) over jclouds' filesystem blob store in a scratch folder, so gigabytes of
 * images do not sit in the heap. Its threads' CPU is reported apart from the executor's (a real
 * S3 is another machine). While it runs, the {@code aws.*} system properties hold its credentials,
 * which core's AWS SDK client (the run manifest, the images' side files) reads from the default chain.
 */
public final class LocalS3 implements AutoCloseable {
  static final String ACCESS_KEY = "bench-access";
  static final String SECRET_KEY = "bench-secret";
  static final String REGION = "us-east-1";

  private final BlobStoreContext context;
  private final S3Proxy proxy;
  private final String bucket;

  public LocalS3(Path storage, String bucket) throws Exception {
    this.bucket = bucket;
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", storage.toString());
    context = ContextBuilder.newBuilder("filesystem").credentials("identity", "credential")
        .overrides(properties).build(BlobStoreContext.class);
    context.getBlobStore().createContainerInLocation(null, bucket);
    proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
    proxy.start();
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(5);
    }
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", SECRET_KEY);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  /** The generate options that point the job (S3A and core's client) at this server; credentials as Spark conf, fine for a local stand-in. */
  public List<String> jobArguments() {
    return List.of("--s3-endpoint", endpoint(), "--s3-region", REGION, "--s3-path-style",
        "--conf", "spark.hadoop.fs.s3a.access.key=" + ACCESS_KEY,
        "--conf", "spark.hadoop.fs.s3a.secret.key=" + SECRET_KEY,
        "--conf", "spark.hadoop.fs.s3a.connection.ssl.enabled=false",
        "--conf", "spark.hadoop.fs.s3a.change.detection.mode=none");
  }

  /** How many objects under {@code prefix} in the bucket end with {@code suffix}. */
  public long count(String prefix, String suffix) {
    long n = 0;
    String marker = null;
    do {
      ListContainerOptions options = ListContainerOptions.Builder.prefix(prefix + "/").recursive();
      if (marker != null) {
        options.afterMarker(marker);
      }
      PageSet<? extends StorageMetadata> page = context.getBlobStore().list(bucket, options);
      for (StorageMetadata blob : page) {
        if (blob.getName().endsWith(suffix)) {
          n++;
        }
      }
      marker = page.getNextMarker();
    } while (marker != null);
    return n;
  }

  @Override
  public void close() throws Exception {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    proxy.stop();
    context.close();
  }
}
