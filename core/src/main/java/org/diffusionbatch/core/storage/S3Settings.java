package org.diffusionbatch.core.storage;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * How to reach S3: endpoint override (MinIO, S3Proxy, Ceph...), region and addressing style.
 *
 * @param endpoint endpoint URL such as {@code http://minio:9000}; null = AWS's own endpoints
 * @param region region name; null = the SDK's default region chain, then us-east-1
 * @param pathStyle true for {@code http://host/bucket/key} addressing (most S3-compatible stores)
 * @param credentials null = the SDK's default credential chain (system properties, environment,
 *     web identity, profile, container, instance role); set it to use other credentials
 */
public record S3Settings(String endpoint, String region, boolean pathStyle, AwsCredentialsProvider credentials) {

  public S3Settings(String endpoint, String region, boolean pathStyle) {
    this(endpoint, region, pathStyle, null);
  }

  /** AWS endpoints, default region and credentials, virtual-host addressing. */
  public static S3Settings defaults() {
    return new S3Settings(null, null, false, null);
  }

  public S3Settings withCredentials(AwsCredentialsProvider provider) {
    return new S3Settings(endpoint, region, pathStyle, provider);
  }

  @Override
  public String toString() {
    // Never print credentials; naming where they come from is enough.
    return "S3Settings[endpoint=" + (endpoint == null ? "AWS" : endpoint) + ", region="
        + (region == null ? "default" : region) + ", pathStyle=" + pathStyle + ", credentials="
        + CredentialsSource.describe(this) + "]";
  }
}
