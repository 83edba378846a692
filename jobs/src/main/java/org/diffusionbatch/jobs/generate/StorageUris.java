package org.diffusionbatch.jobs.generate;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/** The job's URI rules: which schemes are accepted and how each is named for Spark's readers and writers. */
public final class StorageUris {
  private StorageUris() {}

  /**
   * The form Spark/Hadoop should use: {@code s3://} becomes {@code s3a://} (the S3A connector),
   * local paths become absolute {@code file:} URIs, {@code file:} and {@code s3a:} stay.
   *
   * @param option the option name, for the error message
   */
  public static String forSpark(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(option + " is empty; give a local path, file:, s3:// or s3a:// URI");
    }
    String scheme = scheme(value);
    if (scheme == null) {
      // toUri() ends an existing directory with '/', a missing one without: drop it so a path
      // means the same URI before and after a run created it.
      String uri = Path.of(value).toAbsolutePath().normalize().toUri().toString();
      return uri.endsWith("/") && !uri.equals("file:///") ? uri.substring(0, uri.length() - 1) : uri;
    }
    return switch (scheme) {
      case "file", "s3a" -> value;
      case "s3" -> "s3a" + value.substring(2);
      default -> throw new IllegalArgumentException(
          option + " " + value + " uses scheme '" + scheme + ":' which the job does not read or write; use a local path, file:, s3:// or s3a://");
    };
  }

  /** True for {@code s3:} and {@code s3a:} URIs. */
  public static boolean isS3(String value) {
    String scheme = scheme(value);
    return "s3".equals(scheme) || "s3a".equals(scheme);
  }

  /** The same object as an {@code s3://} URI, the form core's object storage takes. */
  public static URI forObjectStorage(String value) {
    return URI.create(value.startsWith("s3a://") ? "s3" + value.substring(3) : value);
  }

  /** Joins a child path onto a directory URI. */
  public static String child(String dir, String name) {
    return dir.replaceAll("/+$", "") + "/" + name;
  }

  /** The URI's scheme in lower case, or null for a plain (local) path; Windows drive letters count as paths. */
  static String scheme(String value) {
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
