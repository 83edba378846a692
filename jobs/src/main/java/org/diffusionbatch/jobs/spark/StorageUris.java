package org.diffusionbatch.jobs.spark;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/** The job's URI rules: which schemes are accepted and how each is named for Spark's readers and writers. */
public final class StorageUris {
  private StorageUris() {}

  /**
   * The form Spark/Hadoop should use: {@code s3://} becomes {@code s3a://} (the S3A connector),
   * local paths become {@code file://} + the absolute path as written (not percent-encoded: Hadoop's
   * Path takes the characters literally, so "my dir/out #1" stays that name), {@code file:} and
   * {@code s3a:} stay.
   *
   * @param option the option name, for the error message
   */
  public static String forSpark(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(option + " is empty; give a local path, file:, s3:// or s3a:// URI");
    }
    String scheme = scheme(value);
    if (scheme == null) {
      // No trailing '/', so a path means the same URI before and after a run created it.
      String path = Path.of(value).toAbsolutePath().normalize().toString().replace('\\', '/');
      return "file://" + (path.startsWith("/") ? "" : "/") + path;
    }
    return switch (scheme) {
      case "file", "s3a" -> value;
      case "s3" -> "s3a" + value.substring(2);
      default -> throw new IllegalArgumentException(
          option + " " + value + " uses scheme '" + scheme + ":' which the job does not read or write; use a local path, file:, s3:// or s3a://");
    };
  }

  /** The local file a {@code file:} URI in the form {@link #forSpark} gives (or any Hadoop file: path) names. */
  public static Path localPath(String sparkUri) {
    return Path.of(new org.apache.hadoop.fs.Path(sparkUri).toUri());
  }

  /** True for {@code s3:} and {@code s3a:} URIs. */
  public static boolean isS3(String value) {
    String scheme = scheme(value);
    return "s3".equals(scheme) || "s3a".equals(scheme);
  }

  /** The same object as an {@code s3://} URI, the form core's object storage takes. */
  public static URI forObjectStorage(String value) {
    String s3 = value.startsWith("s3a://") ? "s3" + value.substring(3) : value;
    if (!s3.startsWith("s3://")) {
      return URI.create(s3);
    }
    // Keys are taken literally, as Hadoop's Path takes them: a space or '#' is part of the key.
    int slash = s3.indexOf('/', "s3://".length());
    String bucket = slash < 0 ? s3.substring("s3://".length()) : s3.substring("s3://".length(), slash);
    String key = slash < 0 ? "" : s3.substring(slash);
    try {
      return new URI("s3", bucket, key.isEmpty() ? null : key, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + value + "' is not a valid S3 URI: " + e.getMessage(), e);
    }
  }

  /** Joins a child path onto a directory URI. */
  public static String child(String dir, String name) {
    return dir.replaceAll("/+$", "") + "/" + name;
  }

  /** The URI's scheme in lower case, or null for a plain (local) path; Windows drive letters count as paths. */
  public static String scheme(String value) {
    int colon = value.indexOf(':');
    if (colon <= 1) {
      return null;
    }
    try {
      String scheme = new URI(value.replace(" ", "%20")).getScheme();
      return scheme == null ? null : scheme.toLowerCase(Locale.ROOT);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + value + "' is not a valid URI: " + e.getMessage(), e);
    }
  }
}
