package org.diffusionbatch.jobs.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.diffusionbatch.core.storage.ObjectStorage;
import org.diffusionbatch.core.storage.S3Settings;
import org.diffusionbatch.core.storage.StorageException;

/**
 * Checks, before any work, that the run can read its input and write its outputs, through the same
 * Hadoop file systems Spark uses (S3A for s3a://), and turns what goes wrong into one line naming the
 * option, the location and what to do (a {@link ConfigurationException}, exit 2) instead of a stack
 * trace from the middle of a Spark job.
 */
public final class StorageAccess {
  private final Configuration hadoop;

  public StorageAccess(Configuration hadoop) {
    this.hadoop = hadoop;
  }

  public Configuration hadoop() {
    return hadoop;
  }

  public FileSystem fileSystem(String option, String uri) {
    try {
      return new Path(uri).getFileSystem(hadoop);
    } catch (IOException | RuntimeException e) {
      throw explain(option, uri, "open", e);
    }
  }

  /** What is at the location, or null when nothing is. */
  public FileStatus status(String option, String uri) {
    return status(option, uri, "read");
  }

  /** @param action what the run wants to do there, for the message ("read", "write to") */
  private FileStatus status(String option, String uri, String action) {
    Path path = new Path(uri);
    try {
      return fileSystem(option, uri).getFileStatus(path);
    } catch (FileNotFoundException e) {
      if (e.getClass().getName().endsWith("UnknownStoreException")) {
        throw explain(option, uri, action, e);
      }
      return null;
    } catch (IOException | RuntimeException e) {
      throw explain(option, uri, action, e);
    }
  }

  /** The input exists and can be read. */
  public FileStatus requireReadable(String option, String uri) {
    FileStatus status = status(option, uri);
    if (status == null) {
      throw new ConfigurationException(option + " " + uri + " does not exist; check the path");
    }
    if (isLocal(uri) && !Files.isReadable(StorageUris.localPath(uri))) {
      throw new ConfigurationException(option + " " + uri + " is not readable by this user; check its permissions");
    }
    return status;
  }

  /**
   * A folder can be created (or is) at the location: locally, the nearest existing folder on the
   * way is writable; on S3, the bucket is reachable with S3A's credentials.
   */
  public void requireWritable(String option, String uri) {
    if (isLocal(uri)) {
      java.nio.file.Path path = StorageUris.localPath(uri);
      java.nio.file.Path existing = path;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing == null) {
        throw new ConfigurationException(option + " " + uri + " cannot be created: no part of its path exists");
      }
      if (!Files.isDirectory(existing)) {
        throw new ConfigurationException(option + " " + uri + (existing.equals(path)
            ? " is a file, not a folder; give a folder for the dataset" : " cannot be created: " + existing + " is a file, not a folder"));
      }
      if (!Files.isWritable(existing)) {
        throw new ConfigurationException(option + " " + uri + (existing.equals(path) ? " is not writable" : " cannot be created: "
            + existing + " is not writable") + " by this user (or the file system is read-only); check permissions or choose another path");
      }
      return;
    }
    FileStatus status = status(option, uri, "write to");
    if (status != null && !status.isDirectory()) {
      throw new ConfigurationException(option + " " + uri + " is an object, not a prefix of a dataset; choose another path");
    }
  }

  /** Writes and deletes a small object in the folder through S3A, so wrong write credentials show before any work. */
  public void probeWrite(String option, String dir, String name) {
    Path probe = new Path(StorageUris.child(dir, name));
    try {
      FileSystem fs = probe.getFileSystem(hadoop);
      try (OutputStream out = fs.create(probe, true)) {
        out.write('\n');
      }
      fs.delete(probe, false);
    } catch (IOException | RuntimeException e) {
      throw explain(option, dir, "write to", e);
    }
  }

  public static boolean isLocal(String uri) {
    return "file".equals(StorageUris.scheme(uri));
  }

  /** One line naming the option, the location and what to do. */
  public static ConfigurationException explain(String option, String uri, String action, Throwable e) {
    String what = option + " " + uri;
    String cause = firstLine(e);
    String type = e.getClass().getName();
    if (type.endsWith("UnknownStoreException") || cause.contains("NoSuchBucket")) {
      return new ConfigurationException(what + ": the bucket does not exist (or these credentials cannot see it); check the bucket"
          + " name, --s3-endpoint and --s3-region (" + cause + ")", e);
    }
    if (e instanceof java.nio.file.AccessDeniedException || type.endsWith("AccessControlException") || cause.contains("403")
        || cause.contains("AccessDenied") || cause.contains("InvalidAccessKeyId") || cause.contains("SignatureDoesNotMatch")) {
      return new ConfigurationException(what + ": access denied, cannot " + action + " it; check the credentials (for s3a: "
          + "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile or instance role) and that they allow this bucket and key (" + cause + ")", e);
    }
    if (hasCause(e, ConnectException.class) || hasCause(e, UnknownHostException.class) || hasCause(e, SocketTimeoutException.class)
        || type.endsWith("AWSClientIOException") && !type.endsWith("ServiceIOException")) {
      return new ConfigurationException(what + ": cannot reach the store to " + action + " it; check --s3-endpoint and the network ("
          + cause + ")", e);
    }
    if (e instanceof StorageException) {
      return new ConfigurationException(what + ": " + cause, e);
    }
    return new ConfigurationException(what + ": cannot " + action + " it: " + cause, e);
  }

  /** The exception's message on one line, at most 300 characters. */
  public static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String line = message.strip().lines().findFirst().orElse("").strip();
    return line.length() > 300 ? line.substring(0, 297) + "..." : line;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Writes a small file whole: through the AWS SDK for s3/s3a (one PUT, so readers see all of it or
   * nothing), through Hadoop's file system otherwise; returns where.
   */
  public static String writeWhole(String location, byte[] bytes, S3Endpoint s3, Configuration hadoop) throws IOException {
    if (StorageUris.isS3(location)) {
      URI uri = StorageUris.forObjectStorage(location);
      try (ObjectStorage storage = ObjectStorage.create(new S3Settings(s3.endpoint(), s3.region(), s3.pathStyle()))) {
        storage.putBytes(uri, bytes);
      }
      return uri.toString();
    }
    Path path = new Path(location);
    // Written whole to a temporary name and renamed, so a reader never sees half a file.
    Path temp = new Path(path.getParent(), "." + path.getName() + ".tmp");
    var fs = path.getFileSystem(hadoop);
    try (OutputStream out = fs.create(temp, true)) {
      out.write(bytes);
    }
    fs.delete(path, false);
    if (!fs.rename(temp, path)) {
      throw new IOException("cannot rename " + temp + " to " + path);
    }
    return location;
  }
}
