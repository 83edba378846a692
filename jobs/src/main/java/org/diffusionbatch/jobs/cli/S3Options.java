package org.diffusionbatch.jobs.cli;

import org.diffusionbatch.core.storage.S3Settings;
import picocli.CommandLine.Option;

/** Where S3 is; credentials never come from options (environment, profile or instance role). */
public final class S3Options {

  @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3 endpoint (S3-compatible stores).")
  String endpoint;

  @Option(names = "--s3-region", paramLabel = "REGION", description = "S3 region.")
  String region;

  @Option(names = "--s3-path-style", description = "Path-style S3 access.")
  boolean pathStyle;

  public String endpoint() {
    return endpoint;
  }

  public String region() {
    return region;
  }

  public boolean pathStyle() {
    return pathStyle;
  }

  public S3Settings settings() {
    return new S3Settings(endpoint, region, pathStyle);
  }
}
