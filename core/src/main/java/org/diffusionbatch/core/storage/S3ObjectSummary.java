package org.diffusionbatch.core.storage;

import java.net.URI;

/** One object found by {@link ObjectStorage#list}: where it is, how big, and its ETag (quotes removed). */
public record S3ObjectSummary(String bucket, String key, long size, String eTag) {
  public URI uri() {
    return S3Location.of(bucket, key).uri();
  }
}
