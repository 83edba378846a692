package org.diffusionbatch.jobs.generate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusionbatch.jobs.spark.StorageAccess;
import org.diffusionbatch.jobs.spark.StorageUris;

/**
 * Whether one location is, or is inside, another, compared as resolved paths: local paths with
 * symbolic links and {@code ..} resolved (as far as they exist), S3 URIs by bucket and key.
 */
final class Locations {
  private Locations() {}

  /** True when {@code inner} is {@code outer} or lies below it. */
  static boolean within(String inner, String outer) {
    String a = resolved(inner);
    String b = resolved(outer);
    return a.equals(b) || a.startsWith(b.endsWith("/") ? b : b + "/");
  }

  private static String resolved(String uri) {
    if (StorageAccess.isLocal(uri)) {
      return "file://" + realPath(StorageUris.localPath(uri).toAbsolutePath().normalize());
    }
    String normalized = uri.replaceAll("/+$", "");
    return normalized.startsWith("s3://") ? "s3a" + normalized.substring(2) : normalized;
  }

  /** The real path of the longest existing prefix, with the rest appended. */
  private static String realPath(Path path) {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return path.toString();
    }
    try {
      Path real = existing.toRealPath();
      return real.resolve(existing.relativize(path)).toString();
    } catch (IOException e) {
      return path.toString();
    }
  }
}
