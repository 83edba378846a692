package org.diffusionbatch.core.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusionbatch.core.storage.ObjectStorage;
import org.diffusionbatch.core.storage.PrefixCache;
import org.diffusionbatch.core.storage.S3Location;

/**
 * Where a model's files are on this machine: a local folder as given, or the cached copy of an
 * S3 prefix (downloaded on first use). S3 copies carry their digest, computed once at download.
 */
public final class ModelSource {
  static final String DIGEST_FILE = ".diffusion-batch-digest";

  private ModelSource() {}

  /** A local folder, whether it was just downloaded, and its digest when already known (else null). */
  public record Resolved(Path directory, boolean downloaded, String digest) {}

  public static Resolved resolve(ModelOptions options) {
    String uri = options.uri();
    if (S3Location.isS3(uri)) {
      try (ObjectStorage storage = ObjectStorage.create(options.s3())) {
        PrefixCache.Entry entry = new PrefixCache(storage, options.effectiveCacheDir())
            .fetch(URI.create(uri), ModelSource::writeDigest);
        return new Resolved(entry.dir(), entry.downloaded(), readDigest(entry.dir()));
      }
    }
    Path dir = uri.startsWith("file:") ? Path.of(URI.create(uri)) : Path.of(uri);
    return new Resolved(dir.toAbsolutePath().normalize(), false, null);
  }

  private static void writeDigest(Path dir) {
    try {
      Files.writeString(dir.resolve(DIGEST_FILE), ModelDigest.of(dir));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the model digest into " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String readDigest(Path dir) {
    Path file = dir.resolve(DIGEST_FILE);
    try {
      return Files.isRegularFile(file) ? Files.readString(file).trim() : null;
    } catch (IOException e) {
      return null; // recomputed by the caller
    }
  }
}
