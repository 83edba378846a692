package org.diffusionbatch.jobs.generate.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.diffusionbatch.jobs.spark.S3Endpoint;
import org.diffusionbatch.jobs.spark.StorageAccess;
import org.diffusionbatch.jobs.spark.StorageUris;

/** Writes and reads {@code <output>/_runs/<run_id>.json}. */
public final class ManifestWriter {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ManifestWriter() {}

  public static String location(String output, String runId) {
    return StorageUris.child(StorageUris.child(output, OutputContents.RUNS), runId + ".json");
  }

  static byte[] json(RunManifest manifest) {
    try {
      return JSON.writeValueAsBytes(manifest);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the run manifest as JSON", e);
    }
  }

  /** Writes through the AWS SDK (core's object storage) for s3/s3a outputs, through Hadoop's local file system otherwise; returns where. */
  static String write(RunManifest manifest, S3Endpoint s3, Configuration hadoop) throws IOException {
    return StorageAccess.writeWhole(location(manifest.output(), manifest.runId()), json(manifest), s3, hadoop);
  }

  /** A manifest as JSON (any version of it), read through Hadoop (S3A for s3a://). */
  public static JsonNode read(Path manifest, Configuration hadoop) throws IOException {
    try (InputStream in = manifest.getFileSystem(hadoop).open(manifest)) {
      return JSON.readTree(in);
    }
  }

  public static JsonNode tree(Object value) {
    return JSON.valueToTree(value);
  }
}
