package org.diffusionbatch.core.storage;

import java.net.URI;

/** A parsed {@code s3://bucket/key} address. The key may be empty (whole bucket) or end in '/' (a prefix). */
public record S3Location(String bucket, String key) {

  public S3Location {
    if (bucket == null || bucket.isEmpty()) {
      throw new IllegalArgumentException("S3 address has no bucket: s3://" + bucket + "/" + key);
    }
    key = key == null ? "" : key;
  }

  public static S3Location of(String bucket, String key) {
    return new S3Location(bucket, key);
  }

  /** Parses {@code s3://bucket/key}; {@code s3a://} (Hadoop's scheme) is accepted as the same thing. */
  public static S3Location parse(URI uri) {
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equals("s3") || scheme.equals("s3a"))) {
      throw new IllegalArgumentException("not an S3 address: '" + uri + "'; expected s3://bucket/key");
    }
    String bucket = uri.getAuthority();
    String path = uri.getPath() == null ? "" : uri.getPath();
    String key = path.startsWith("/") ? path.substring(1) : path;
    if (bucket == null || bucket.isEmpty()) {
      throw new IllegalArgumentException("S3 address '" + uri + "' has no bucket; expected s3://bucket/key");
    }
    return new S3Location(bucket, key);
  }

  public static S3Location parse(String uri) {
    return parse(URI.create(uri));
  }

  public static boolean isS3(String uri) {
    return uri != null && (uri.startsWith("s3://") || uri.startsWith("s3a://"));
  }

  /** The same address as a prefix: the key ends in '/' unless it is empty. */
  public S3Location asPrefix() {
    return key.isEmpty() || key.endsWith("/") ? this : new S3Location(bucket, key + "/");
  }

  public S3Location resolve(String relativeKey) {
    return new S3Location(bucket, asPrefix().key + relativeKey);
  }

  public URI uri() {
    try {
      return new URI("s3", bucket, "/" + key, null);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("cannot form an S3 URI from bucket '" + bucket + "' and key '" + key + "'", e);
    }
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + key;
  }
}
