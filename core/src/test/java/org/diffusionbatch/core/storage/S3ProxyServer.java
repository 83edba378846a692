package org.diffusionbatch.core.storage;

import java.net.URI;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** An in-process S3 (S3Proxy over an in-memory jclouds blob store) on 127.0.0.1, for tests. */
public final class S3ProxyServer implements AutoCloseable {
  public static final String ACCESS_KEY = "test-access";
  public static final String SECRET_KEY = "test-secret";

  private final BlobStoreContext context;
  private final S3Proxy proxy;

  public S3ProxyServer() throws Exception {
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

  public BlobStore blobStore() {
    return context.getBlobStore();
  }

  public void createBucket(String bucket) {
    blobStore().createContainerInLocation(null, bucket);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  /** Settings that reach this server with valid credentials. */
  public S3Settings settings() {
    return settings(ACCESS_KEY, SECRET_KEY);
  }

  public S3Settings settings(String accessKey, String secretKey) {
    return new S3Settings(endpoint(), "us-east-1", true,
        StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
