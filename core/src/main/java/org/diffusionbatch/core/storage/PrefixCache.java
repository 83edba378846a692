package org.diffusionbatch.core.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A local copy of everything under an S3 prefix, downloaded once and reused.
 *
 * <p>The copy lives in {@code cacheDir/<key>}, where the key is a SHA-256 of the listing (bucket,
 * prefix, every key with its size and ETag): if the objects change on S3, the key changes and a
 * fresh copy is made. A copy is built in a temporary folder, every file's size is checked against
 * the listing, and only then is the folder renamed into place, so no process ever sees a half-written
 * copy. A lock file makes a second process (or thread) wait for the first download instead of
 * repeating it. Folders a killed download left behind ({@code .tmp-<key>-*}, {@code .trash-<key>-*})
 * are removed by the next fetch, once their key's lock shows no download of that key is running.
 */
public final class PrefixCache {
  /** Written last into a finished copy; a folder without it is not trusted. */
  public static final String COMPLETE_MARKER = ".diffusion-batch-complete";

  private static final ConcurrentHashMap<String, Object> JVM_LOCKS = new ConcurrentHashMap<>();

  private final ObjectStorage storage;
  private final Path cacheDir;

  public PrefixCache(ObjectStorage storage, Path cacheDir) {
    this.storage = storage;
    this.cacheDir = cacheDir.toAbsolutePath().normalize();
  }

  /** The local copy, and whether this call downloaded it (false = reused). */
  public record Entry(Path dir, boolean downloaded, List<S3ObjectSummary> objects) {}

  /** Same as {@link #fetch(URI, Consumer)} with nothing to add before publishing. */
  public Entry fetch(URI prefix) {
    return fetch(prefix, dir -> {});
  }

  /**
   * Returns a verified local copy of every object under the prefix, downloading it if needed.
   *
   * @param beforePublish runs on the finished temporary folder just before it is renamed into place
   *     (to add derived files such as a digest); files it writes should start with '.'
   */
  public Entry fetch(URI prefix, Consumer<Path> beforePublish) {
    S3Location loc = S3Location.parse(prefix).asPrefix();
    List<S3ObjectSummary> objects = files(storage.list(loc.uri()));
    if (objects.isEmpty()) {
      throw new StorageException("no objects under " + loc + "; check the model URI (bucket '" + loc.bucket()
          + "', prefix '" + loc.key() + "') and that the upload finished");
    }
    String key = cacheKey(loc, objects);
    Path target = cacheDir.resolve(key);
    Object jvmLock = JVM_LOCKS.computeIfAbsent(target.toString(), k -> new Object());
    synchronized (jvmLock) {
      try {
        Files.createDirectories(cacheDir);
        try (FileChannel channel = FileChannel.open(cacheDir.resolve(key + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock ignored = channel.lock()) {
          removeLeftovers(key);
          if (isComplete(target, loc, objects)) {
            return new Entry(target, false, objects);
          }
          download(loc, objects, target, beforePublish);
          return new Entry(target, true, objects);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot use the model cache " + cacheDir + " for " + loc + ": " + e.getMessage()
            + "; check that it is writable and has free space (set the cache folder with DIFFUSION_BATCH_CACHE)", e);
      }
    }
  }

  /**
   * Removes temporary and trash folders that no running download owns: this key's (whose lock the
   * caller holds) and any other key's whose lock is free. A download holds its key's lock for its
   * whole life, in this JVM or another, so a folder whose lock can be taken is a killed one's.
   */
  private void removeLeftovers(String ownKey) throws IOException {
    List<Path> leftovers;
    try (Stream<Path> entries = Files.list(cacheDir)) {
      leftovers = entries.filter(p -> leftoverKey(p) != null).toList();
    }
    for (Path leftover : leftovers) {
      String key = leftoverKey(leftover);
      if (key.equals(ownKey)) {
        deleteTree(leftover);
        continue;
      }
      try (FileChannel channel = FileChannel.open(cacheDir.resolve(key + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.tryLock()) {
        if (lock != null) {
          deleteTree(leftover);
        }
      } catch (java.nio.channels.OverlappingFileLockException heldInThisJvm) {
        // another thread of this JVM is downloading that key right now
      }
    }
  }

  /** The cache key of a {@code .tmp-<key>-<uuid>} or {@code .trash-<key>-<uuid>} folder, else null. */
  private static String leftoverKey(Path path) {
    String name = path.getFileName().toString();
    for (String prefix : List.of(".tmp-", ".trash-")) {
      if (name.startsWith(prefix) && name.length() > prefix.length() + 64 && name.charAt(prefix.length() + 64) == '-') {
        return name.substring(prefix.length(), prefix.length() + 64);
      }
    }
    return null;
  }

  private static List<S3ObjectSummary> files(List<S3ObjectSummary> listing) {
    List<S3ObjectSummary> files = new ArrayList<>();
    for (S3ObjectSummary o : listing) {
      if (!o.key().endsWith("/")) {
        files.add(o);
      }
    }
    files.sort(Comparator.comparing(S3ObjectSummary::key));
    return files;
  }

  static String cacheKey(S3Location prefix, List<S3ObjectSummary> objects) {
    StringBuilder listing = new StringBuilder(prefix.toString()).append('\n');
    for (S3ObjectSummary o : objects) {
      listing.append(o.key()).append('\t').append(o.size()).append('\t').append(o.eTag()).append('\n');
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(listing.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /** A finished copy: marker present and every listed file there with the listed size. */
  private static boolean isComplete(Path dir, S3Location prefix, List<S3ObjectSummary> objects) throws IOException {
    if (!Files.isRegularFile(dir.resolve(COMPLETE_MARKER))) {
      if (Files.exists(dir)) {
        discard(dir); // left by something other than this cache (a manual copy?): rebuild it
      }
      return false;
    }
    for (S3ObjectSummary o : objects) {
      Path file = ObjectStorage.localPath(dir, prefix, o.key());
      if (!Files.isRegularFile(file) || Files.size(file) != o.size()) {
        discard(dir); // a file was removed or changed after the download: rebuild it
        return false;
      }
    }
    return true;
  }

  private void download(S3Location prefix, List<S3ObjectSummary> objects, Path target,
      Consumer<Path> beforePublish) throws IOException {
    Path temp = cacheDir.resolve(".tmp-" + target.getFileName() + "-" + UUID.randomUUID());
    try {
      for (S3ObjectSummary o : objects) {
        Path file = ObjectStorage.localPath(temp, prefix, o.key());
        storage.download(o, file);
        long size = Files.size(file);
        if (size != o.size()) {
          throw new StorageException("downloaded " + o.uri() + " has " + size + " bytes but S3 lists " + o.size()
              + "; the object changed during the download or the transfer broke; retry");
        }
      }
      beforePublish.accept(temp);
      Files.writeString(temp.resolve(COMPLETE_MARKER), prefix + "\n");
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
        throw new IOException("cannot rename " + temp + " to " + target + " atomically", e);
      }
    } finally {
      if (Files.exists(temp)) {
        deleteTree(temp);
      }
    }
  }

  /** Moves a bad copy aside first, so the target name is free at once, then deletes it. */
  private static void discard(Path dir) throws IOException {
    Path aside = dir.resolveSibling(".trash-" + dir.getFileName() + "-" + UUID.randomUUID());
    Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
    deleteTree(aside);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
