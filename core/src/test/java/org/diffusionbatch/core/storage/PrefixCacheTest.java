package org.diffusionbatch.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrefixCacheTest {
  static S3ProxyServer server;
  static ObjectStorage storage;

  @BeforeAll
  static void start() throws Exception {
    server = new S3ProxyServer();
    server.createBucket("cache");
    storage = ObjectStorage.create(server.settings());
  }

  @AfterAll
  static void stop() throws Exception {
    storage.close();
    server.close();
  }

  private static void put(String key, byte[] bytes) {
    storage.putBytes(URI.create("s3://cache/" + key), bytes);
  }

  @Test
  void firstFetchDownloadsAndSecondReusesTheSameFiles(@TempDir Path cacheDir) throws Exception {
    put("m1/unet/model.onnx", new byte[] {9, 8, 7});
    put("m1/model_index.json", new byte[] {1});
    PrefixCache cache = new PrefixCache(storage, cacheDir);
    PrefixCache.Entry first = cache.fetch(URI.create("s3://cache/m1/"));
    assertTrue(first.downloaded());
    assertArrayEquals(new byte[] {9, 8, 7}, Files.readAllBytes(first.dir().resolve("unet/model.onnx")));
    var modified = Files.getLastModifiedTime(first.dir().resolve("unet/model.onnx"));

    PrefixCache.Entry second = new PrefixCache(storage, cacheDir).fetch(URI.create("s3://cache/m1"));
    assertFalse(second.downloaded(), "second fetch must reuse the cache");
    assertEquals(first.dir(), second.dir());
    assertEquals(modified, Files.getLastModifiedTime(second.dir().resolve("unet/model.onnx")));
  }

  @Test
  void changedObjectsGetAFreshCopy(@TempDir Path cacheDir) {
    put("m2/a", new byte[] {1});
    PrefixCache cache = new PrefixCache(storage, cacheDir);
    Path before = cache.fetch(URI.create("s3://cache/m2/")).dir();
    put("m2/a", new byte[] {1, 2});
    PrefixCache.Entry after = cache.fetch(URI.create("s3://cache/m2/"));
    assertTrue(after.downloaded());
    assertNotEquals(before, after.dir());
  }

  @Test
  void aDamagedCopyIsDownloadedAgain(@TempDir Path cacheDir) throws Exception {
    put("m3/a", new byte[] {1, 2, 3});
    PrefixCache cache = new PrefixCache(storage, cacheDir);
    Path dir = cache.fetch(URI.create("s3://cache/m3/")).dir();
    Files.write(dir.resolve("a"), new byte[] {1});
    PrefixCache.Entry again = cache.fetch(URI.create("s3://cache/m3/"));
    assertTrue(again.downloaded());
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(again.dir().resolve("a")));
  }

  @Test
  void concurrentFetchesDownloadOnceAndLeaveNoTemporaryFolders(@TempDir Path cacheDir) throws Exception {
    put("m4/big", new byte[1 << 20]);
    put("m4/small", new byte[10]);
    PrefixCache cache = new PrefixCache(storage, cacheDir);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<PrefixCache.Entry>> calls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        calls.add(() -> cache.fetch(URI.create("s3://cache/m4/")));
      }
      int downloads = 0;
      for (Future<PrefixCache.Entry> f : pool.invokeAll(calls)) {
        downloads += f.get().downloaded() ? 1 : 0;
      }
      assertEquals(1, downloads);
    } finally {
      pool.shutdownNow();
    }
    try (Stream<Path> entries = Files.list(cacheDir)) {
      assertTrue(entries.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")));
    }
  }

  @Test
  void beforePublishRunsOnceOnTheFinishedCopy(@TempDir Path cacheDir) throws Exception {
    put("m5/a", new byte[] {4});
    AtomicInteger calls = new AtomicInteger();
    PrefixCache cache = new PrefixCache(storage, cacheDir);
    PrefixCache.Entry e = cache.fetch(URI.create("s3://cache/m5/"), dir -> {
      calls.incrementAndGet();
      assertTrue(Files.exists(dir.resolve("a")));
    });
    cache.fetch(URI.create("s3://cache/m5/"), dir -> calls.incrementAndGet());
    assertEquals(1, calls.get());
    assertTrue(Files.exists(e.dir().resolve(PrefixCache.COMPLETE_MARKER)));
  }

  @Test
  void emptyPrefixSaysNoObjectsAndNamesIt(@TempDir Path cacheDir) {
    StorageException e = assertThrows(StorageException.class,
        () -> new PrefixCache(storage, cacheDir).fetch(URI.create("s3://cache/nothing-here/")));
    assertTrue(e.getMessage().contains("no objects under s3://cache/nothing-here/"), e.getMessage());
  }

  @Test
  void foldersLeftByAKilledDownloadAreRemovedUnlessThatDownloadStillHoldsItsLock(@TempDir Path cacheDir) throws Exception {
    put("m7/a", new byte[] {7});
    PrefixCache cache = new PrefixCache(storage, cacheDir);
    String key = cache.fetch(URI.create("s3://cache/m7/")).dir().getFileName().toString();
    String otherKey = "a".repeat(64);
    String busyKey = "b".repeat(64);
    List<Path> stale = List.of(
        Files.createDirectories(cacheDir.resolve(".tmp-" + key + "-killed").resolve("unet")),
        Files.createDirectories(cacheDir.resolve(".tmp-" + otherKey + "-killed")),
        Files.createDirectories(cacheDir.resolve(".trash-" + otherKey + "-killed")));
    Path busy = Files.createDirectories(cacheDir.resolve(".tmp-" + busyKey + "-downloading"));
    try (var channel = java.nio.channels.FileChannel.open(cacheDir.resolve(busyKey + ".lock"),
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        var held = channel.lock()) {
      assertFalse(cache.fetch(URI.create("s3://cache/m7/")).downloaded());
    }
    for (Path dir : stale) {
      assertFalse(Files.exists(dir), dir + " should have been removed");
    }
    assertTrue(Files.exists(busy), "a download that holds its lock keeps its folder");
  }
}
