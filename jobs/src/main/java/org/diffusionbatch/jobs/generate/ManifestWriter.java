package org.diffusionbatch.jobs.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Writes {@code <output>/_runs/<run_id>.json}. */
final class ManifestWriter {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ManifestWriter() {}

  static String location(String output, String runId) {
    return StorageUris.child(StorageUris.child(output, "_runs"), runId + ".json");
  }

  static byte[] json(RunManifest manifest) {
    try {
      return JSON.writeValueAsBytes(manifest);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the run manifest as JSON", e);
    }
  }

  /** Returns where it was written. */
  static String write(RunManifest manifest, Configuration hadoop) throws IOException {
    String location = location(manifest.output(), manifest.runId());
    Path path = new Path(location);
    try (OutputStream out = path.getFileSystem(hadoop).create(path, true)) {
      out.write(json(manifest));
    }
    return location;
  }
}
