package org.diffusionbatch.jobs.spark;

import java.io.Serializable;

/** {@code --s3-*}: endpoint and region for both the AWS SDK (core) and S3A (Spark). */
public record S3Endpoint(String endpoint, String region, boolean pathStyle) implements Serializable {}
