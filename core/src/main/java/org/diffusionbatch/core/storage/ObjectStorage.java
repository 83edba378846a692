package org.diffusionbatch.core.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * S3 reads and writes over AWS SDK v2 (synchronous client, Apache HTTP). Every failure becomes a
 * {@link StorageException} naming the bucket and key, the HTTP status, and where credentials came from.
 * Thread-safe: one instance can serve many threads.
 */
public final class ObjectStorage implements AutoCloseable {
  /** Objects larger than this are downloaded as parallel ranged GETs of this size. */
  static final long DEFAULT_PART_SIZE = 64L << 20;
  /** Concurrent ranged GETs per object: one GET stream rarely exceeds ~100 MB/s, S3 serves many. */
  static final int DEFAULT_PARALLEL_PARTS = 8;

  private final S3Settings settings;
  private final S3Client client;
  private final long partSize;
  private final int parallelParts;

  private ObjectStorage(S3Settings settings, S3Client client, long partSize, int parallelParts) {
    this.settings = settings;
    this.client = client;
    this.partSize = partSize;
    this.parallelParts = parallelParts;
  }

  public static ObjectStorage create(S3Settings settings) {
    return create(settings, DEFAULT_PART_SIZE, DEFAULT_PARALLEL_PARTS);
  }

  static ObjectStorage create(S3Settings settings, long partSize, int parallelParts) {
    S3Settings s = settings == null ? S3Settings.defaults() : settings;
    S3ClientBuilder builder = S3Client.builder()
        // The bundle carries several HTTP clients; naming one avoids the SDK's "multiple implementations" error.
        .httpClientBuilder(ApacheHttpClient.builder())
        .credentialsProvider(s.credentials() != null ? s.credentials() : DefaultCredentialsProvider.create())
        .region(resolveRegion(s))
        .forcePathStyle(s.pathStyle())
        .overrideConfiguration(o -> o.addExecutionInterceptor(new SdkRetryLog()));
    if (s.endpoint() != null) {
      builder.endpointOverride(URI.create(s.endpoint()));
    } else if (s.region() == null) {
      // Without a configured region, still reach buckets in any region.
      builder.crossRegionAccessEnabled(true);
    }
    return new ObjectStorage(s, builder.build(), partSize, parallelParts);
  }

  private static Region resolveRegion(S3Settings s) {
    if (s.region() != null) {
      return Region.of(s.region());
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException noRegionConfigured) {
      return Region.US_EAST_1;
    }
  }

  public S3Settings settings() {
    return settings;
  }

  public void putBytes(URI uri, byte[] bytes) {
    S3Location loc = S3Location.parse(uri);
    call(loc, "write", () -> client.putObject(b -> b.bucket(loc.bucket()).key(loc.key()), RequestBody.fromBytes(bytes)));
  }

  public void putFile(URI uri, Path file) {
    S3Location loc = S3Location.parse(uri);
    call(loc, "upload " + file + " to", () -> client.putObject(b -> b.bucket(loc.bucket()).key(loc.key()), RequestBody.fromFile(file)));
  }

  public byte[] getBytes(URI uri) {
    S3Location loc = S3Location.parse(uri);
    return call(loc, "read", () -> client.getObjectAsBytes(b -> b.bucket(loc.bucket()).key(loc.key())).asByteArray());
  }

  /** An object's bytes and its ETag as the store sent it (quotes included), for conditional writes. */
  public record StoredObject(byte[] bytes, String eTag) {}

  /** The object and its ETag, or null when there is none (404). */
  public StoredObject getIfExists(URI uri) {
    S3Location loc = S3Location.parse(uri);
    try {
      var response = client.getObjectAsBytes(b -> b.bucket(loc.bucket()).key(loc.key()));
      return new StoredObject(response.asByteArray(), response.response().eTag());
    } catch (NoSuchKeyException e) {
      return null;
    } catch (S3Exception e) {
      if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
        return null;
      }
      throw translate(loc, "read", e);
    } catch (SdkException e) {
      throw translate(loc, "read", e);
    }
  }

  /**
   * Writes the object only if there is none ({@code If-None-Match: *}); returns its ETag, or null
   * when the store reports one exists (412, or 409 for a concurrent conditional write). A store
   * that ignores the header (S3Proxy 2.6, older S3-compatible stores) just writes: callers that
   * need exclusivity read back what is there.
   */
  public String putIfAbsent(URI uri, byte[] bytes) {
    return conditionalPut(uri, bytes, "If-None-Match", "*");
  }

  /** Replaces the object only if its ETag is still {@code eTag} ({@code If-Match}); returns the new ETag, or null on 412/409. */
  public String putIfMatch(URI uri, byte[] bytes, String eTag) {
    return conditionalPut(uri, bytes, "If-Match", eTag);
  }

  private String conditionalPut(URI uri, byte[] bytes, String header, String value) {
    S3Location loc = S3Location.parse(uri);
    try {
      // SDK 2.24 has no typed ifNoneMatch/ifMatch on PutObject yet: the header is added (and signed) as is.
      return client.putObject(b -> b.bucket(loc.bucket()).key(loc.key())
          .overrideConfiguration(o -> o.putHeader(header, value)), RequestBody.fromBytes(bytes)).eTag();
    } catch (S3Exception e) {
      if (e.statusCode() == 412 || e.statusCode() == 409) {
        return null;
      }
      throw translate(loc, "write", e);
    } catch (SdkException e) {
      throw translate(loc, "write", e);
    }
  }

  /** Deletes the object; deleting one that is not there is not an error (S3's own semantics). */
  public void delete(URI uri) {
    S3Location loc = S3Location.parse(uri);
    call(loc, "delete", () -> client.deleteObject(b -> b.bucket(loc.bucket()).key(loc.key())));
  }

  private static boolean isNoSuchBucket(S3Exception e) {
    return e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode());
  }

  /** True when the object exists; false on 404. Other failures (403, network) throw. */
  public boolean exists(URI uri) {
    S3Location loc = S3Location.parse(uri);
    try {
      client.headObject(HeadObjectRequest.builder().bucket(loc.bucket()).key(loc.key()).build());
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw translate(loc, "check", e);
    } catch (SdkException e) {
      throw translate(loc, "check", e);
    }
  }

  /** Every object whose key starts with the prefix's key, in key order. The prefix is used as given. */
  public List<S3ObjectSummary> list(URI prefix) {
    S3Location loc = S3Location.parse(prefix);
    return call(loc, "list", () -> {
      List<S3ObjectSummary> out = new ArrayList<>();
      ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(loc.bucket()).prefix(loc.key()).build();
      for (S3Object o : client.listObjectsV2Paginator(request).contents()) {
        out.add(new S3ObjectSummary(loc.bucket(), o.key(), o.size(), stripQuotes(o.eTag())));
      }
      return out;
    });
  }

  /**
   * Downloads a listed object to a file (replacing it): large objects as parallel ranged GETs, each
   * pinned to the listed ETag so an object replaced mid-download fails instead of mixing versions.
   */
  public void download(S3ObjectSummary object, Path file) {
    if (object.size() <= partSize) {
      download(object.uri(), file);
      return;
    }
    S3Location loc = S3Location.of(object.bucket(), object.key());
    int parts = (int) ((object.size() + partSize - 1) / partSize);
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelParts, parts), daemonThreads());
    try (FileChannel out = openForWrite(file)) {
      List<Future<?>> pending = new ArrayList<>();
      for (int i = 0; i < parts; i++) {
        long first = i * partSize;
        long last = Math.min(object.size(), first + partSize) - 1;
        pending.add(pool.submit(() -> downloadRange(loc, object.eTag(), first, last, out, file)));
      }
      for (Future<?> f : pending) {
        f.get();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new StorageException("cannot download " + loc + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while downloading " + loc, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + " while downloading " + loc + ": " + e.getMessage(), e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Attempts per ranged GET: a broken stream mid-part is retried, an HTTP error (403, 412) is not. */
  private static final int RANGE_ATTEMPTS = 3;

  private void downloadRange(S3Location loc, String eTag, long first, long last, FileChannel out, Path file) {
    call(loc, "download", () -> {
      GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(loc.bucket()).key(loc.key())
          .range("bytes=" + first + "-" + last);
      if (eTag != null) {
        request.ifMatch(eTag);
      }
      for (int attempt = 1; ; attempt++) {
        try (ResponseInputStream<GetObjectResponse> in = client.getObject(request.build())) {
          long end = copyAt(in, out, first);
          if (end != last + 1) {
            throw new IOException("bytes " + first + "-" + last + " stopped at " + end);
          }
          return null;
        } catch (IOException | SdkClientException e) {
          if (attempt == RANGE_ATTEMPTS) {
            throw new StorageException("cannot download bytes " + first + "-" + last + " of " + loc + " into " + file
                + " after " + attempt + " attempts: " + e.getMessage() + "; check the network and free disk space", e);
          }
        }
      }
    });
  }

  /** Writes a stream into the file from {@code position} on; returns the position after the last byte. */
  private static long copyAt(InputStream in, FileChannel out, long position) throws IOException {
    byte[] chunk = new byte[1 << 20];
    int n;
    while ((n = in.read(chunk)) != -1) {
      ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, n);
      while (buffer.hasRemaining()) {
        position += out.write(buffer, position);
      }
    }
    return position;
  }

  private static FileChannel openForWrite(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
  }

  private static ThreadFactory daemonThreads() {
    return runnable -> {
      Thread t = new Thread(runnable, "s3-download");
      t.setDaemon(true);
      return t;
    };
  }

  /** Downloads one object to a file (replacing it), and checks the byte count against the response. */
  public void download(URI uri, Path file) {
    S3Location loc = S3Location.parse(uri);
    call(loc, "download", () -> {
      try (ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(loc.bucket()).key(loc.key()))) {
        Files.createDirectories(file.toAbsolutePath().getParent());
        long copied = Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        Long expected = in.response().contentLength();
        if (expected != null && copied != expected) {
          throw new StorageException("download of " + loc + " to " + file + " stopped after " + copied + " of "
              + expected + " bytes; retry, and check the network and free disk space");
        }
        return null;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file + " while downloading " + loc + ": " + e.getMessage(), e);
      }
    });
  }

  /**
   * Downloads every object under a prefix into a folder, keeping the key path below the prefix, and
   * returns what was listed. Keys ending in '/' (folder markers) are skipped.
   */
  public List<S3ObjectSummary> downloadPrefix(URI prefix, Path dir) {
    S3Location loc = S3Location.parse(prefix).asPrefix();
    List<S3ObjectSummary> objects = list(loc.uri());
    List<S3ObjectSummary> files = new ArrayList<>();
    for (S3ObjectSummary o : objects) {
      if (o.key().endsWith("/")) {
        continue;
      }
      download(o, localPath(dir, loc, o.key()));
      files.add(o);
    }
    return files;
  }

  /** Where a key under a prefix lands in a local folder; refuses keys that would escape the folder. */
  static Path localPath(Path dir, S3Location prefix, String key) {
    String relative = key.substring(prefix.asPrefix().key().length());
    Path target = dir.resolve(relative).normalize();
    if (!target.startsWith(dir.normalize()) || relative.isEmpty()) {
      throw new StorageException("object key '" + key + "' under " + prefix + " does not map to a file inside " + dir);
    }
    return target;
  }

  private interface S3Call<T> {
    T run() throws Exception;
  }

  private <T> T call(S3Location loc, String action, S3Call<T> body) {
    try {
      return body.run();
    } catch (SdkException e) {
      throw translate(loc, action, e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new StorageException("cannot " + action + " " + loc + ": " + e.getMessage(), e);
    }
  }

  private StorageException translate(S3Location loc, String action, SdkException e) {
    String credentials = CredentialsSource.describe(settings);
    String where = settings.endpoint() == null ? "AWS S3" : "endpoint " + settings.endpoint();
    if (e instanceof S3Exception s3) {
      String code = s3.awsErrorDetails() == null ? "" : s3.awsErrorDetails().errorCode();
      int status = s3.statusCode();
      if (status == 403 || "AccessDenied".equals(code) || "InvalidAccessKeyId".equals(code)
          || "SignatureDoesNotMatch".equals(code)) {
        return new StorageException("access denied: cannot " + action + " " + loc + " on " + where + " (HTTP " + status
            + " " + code + "); credentials came from " + credentials
            + "; check that they are valid and allow this bucket and key", e);
      }
      if ("NoSuchBucket".equals(code)) {
        return new StorageException("bucket '" + loc.bucket() + "' does not exist on " + where + " (cannot " + action
            + " " + loc + "); check the bucket name, the region and the endpoint", e);
      }
      if (status == 412) {
        return new StorageException(loc + " changed on " + where + " while it was being downloaded (its ETag no"
            + " longer matches the listing); retry once the upload has finished", e);
      }
      if (status == 404 || "NoSuchKey".equals(code)) {
        return new StorageException("no object at " + loc + " on " + where + " (HTTP 404 " + code + "); check the key", e);
      }
      return new StorageException("cannot " + action + " " + loc + " on " + where + ": HTTP " + status + " " + code
          + " " + s3.getMessage() + " (credentials from " + credentials + ")", e);
    }
    return new StorageException("cannot " + action + " " + loc + " on " + where + ": " + e.getMessage()
        + "; check the endpoint, region and network (credentials from " + credentials + ")", e);
  }

  private static String stripQuotes(String eTag) {
    if (eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")) {
      return eTag.substring(1, eTag.length() - 1);
    }
    return eTag;
  }

  @Override
  public void close() {
    client.close();
  }
}
