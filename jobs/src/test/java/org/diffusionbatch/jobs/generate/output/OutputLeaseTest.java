package org.diffusionbatch.jobs.generate.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.diffusionbatch.core.storage.ObjectStorage;
import org.diffusionbatch.jobs.testing.S3ProxyFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output lease on a local file and on an S3-compatible server: one holder at a time, named to the others. */
class OutputLeaseTest {
  private static final Duration TTL = Duration.ofSeconds(30);
  // The job's default (diffusionbatch.lease.settleMillis): on a store that ignores conditional puts, a write
  // that lands later than this after the others' read-back is not seen; 500 ms was flaky under a load of ~10.
  private static final Duration SETTLE = Duration.ofMillis(1500);

  @TempDir Path dir;

  @Test
  void ofRunsStartingTogetherOnALocalOutputExactlyOneHoldsTheLeaseAndTheOthersNameIt() throws Exception {
    Path file = dir.resolve("out").resolve(OutputLease.FILE_NAME);
    assertExactlyOneWins(() -> new LocalLeaseStore(file));
    assertFalse(Files.exists(file), "released");
  }

  @Test
  void ofRunsStartingTogetherOnS3ExactlyOneHoldsTheLeaseEvenWhereTheStoreIgnoresConditionalPuts() throws Exception {
    try (S3ProxyFixture s3 = new S3ProxyFixture(); ObjectStorage storage = ObjectStorage.create(s3.settings())) {
      s3.createBucket("data");
      URI uri = URI.create("s3://data/out/" + OutputLease.FILE_NAME);
      // A lease store owns its client and closes it with the lease, as each run has its own.
      assertExactlyOneWins(() -> new S3LeaseStore(ObjectStorage.create(s3.settings()), uri));
      assertNull(storage.getIfExists(uri), "released");
      S3LeaseStore probe = new S3LeaseStore(ObjectStorage.create(s3.settings()), uri);
      OutputLease.acquire(probe, "s3://data/out", "probe", TTL, SETTLE, false).close();
      assertEquals(Boolean.FALSE, probe.conditionsHonoured(), "S3Proxy 2.6 ignores If-None-Match on PUT");
    }
  }

  /** Eight runs race for one lease; exactly one gets it and each of the others is told who holds it. */
  private static void assertExactlyOneWins(Supplier<LeaseStore> stores) throws Exception {
    int runs = 8;
    ExecutorService pool = Executors.newFixedThreadPool(runs);
    CountDownLatch start = new CountDownLatch(1);
    List<LeaseStore> opened = new ArrayList<>();
    try {
      List<Future<OutputLease>> results = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        String runId = "run-" + i;
        LeaseStore store = stores.get();
        opened.add(store);
        results.add(pool.submit((Callable<OutputLease>) () -> {
          start.await();
          return OutputLease.acquire(store, "out", runId, TTL, SETTLE, false);
        }));
      }
      start.countDown();
      List<OutputLease> winners = new ArrayList<>();
      List<String> refusals = new ArrayList<>();
      for (Future<OutputLease> result : results) {
        try {
          winners.add(result.get());
        } catch (java.util.concurrent.ExecutionException e) {
          assertTrue(e.getCause() instanceof OutputLease.HeldException, e.getCause().toString());
          refusals.add(e.getCause().getMessage());
        }
      }
      assertEquals(1, winners.size(), "holders: " + winners.size() + "; refusals: " + refusals);
      String holder = winners.get(0).holder().runId();
      for (String refusal : refusals) {
        assertTrue(refusal.contains("is being written by run " + holder + " (host ") && refusal.contains("--break-lease"), refusal);
      }
      assertNull(winners.get(0).renewOnce(), "the winner still holds it");
      winners.get(0).close();
    } finally {
      pool.shutdownNow();
      opened.forEach(LeaseStore::close); // the losers' (closing twice is harmless)
    }
  }

  @Test
  void aLiveLeaseIsRefusedAnExpiredOneIsTakenOverAndBreakLeaseTakesOverAnyway() throws Exception {
    Path file = dir.resolve(OutputLease.FILE_NAME);
    LocalLeaseStore store = new LocalLeaseStore(file);
    OutputLease first = OutputLease.acquire(store, "out", "first", TTL, SETTLE, false);
    OutputLease.HeldException held = assertThrows(OutputLease.HeldException.class,
        () -> OutputLease.acquire(store, "out", "second", TTL, SETTLE, false));
    assertEquals("first", held.holder.runId());
    assertEquals(ProcessHandle.current().pid(), held.holder.pid());

    OutputLease broken = OutputLease.acquire(store, "out", "breaker", TTL, SETTLE, true);
    assertEquals("breaker", LeaseHolder.parse(Files.readAllBytes(file)).runId());
    String lost = first.renewOnce();
    assertNotNull(lost, "the first run learns its lease is gone");
    assertTrue(lost.contains("now held by run breaker"), lost);
    first.close();
    assertTrue(Files.exists(file), "closing a lost lease leaves the new holder's");
    broken.close();

    Files.write(file, LeaseHolder.forThisProcess("dead", Instant.now().minus(Duration.ofMinutes(10)), Duration.ofMinutes(2)).toJson());
    OutputLease taken = OutputLease.acquire(store, "out", "after-expiry", TTL, SETTLE, false);
    assertEquals("after-expiry", LeaseHolder.parse(Files.readAllBytes(file)).runId());
    taken.close();
  }

  @Test
  void renewingMovesTheExpiryAndTheKeeperReportsALeaseTakenByAnother() throws Exception {
    Path file = dir.resolve(OutputLease.FILE_NAME);
    LocalLeaseStore store = new LocalLeaseStore(file);
    Duration ttl = Duration.ofMillis(900);
    OutputLease lease = OutputLease.acquire(store, "out", "renewed", ttl, SETTLE, false);
    CountDownLatch lostSignal = new CountDownLatch(1);
    List<String> lost = new ArrayList<>();
    lease.keepAlive(reason -> {
      lost.add(reason);
      lostSignal.countDown();
    });
    Thread.sleep(2000);
    LeaseHolder now = LeaseHolder.parse(Files.readAllBytes(file));
    assertEquals("renewed", now.runId());
    assertFalse(now.expired(Instant.now()), "renewed every ttl/3, so never expired while the run lives");
    assertTrue(lost.isEmpty());

    Files.write(file, LeaseHolder.forThisProcess("intruder", Instant.now(), TTL).toJson());
    assertTrue(lostSignal.await(5, java.util.concurrent.TimeUnit.SECONDS), "the keeper noticed");
    assertTrue(lost.get(0).contains("intruder"), lost.toString());
    lease.close();
    assertEquals("intruder", LeaseHolder.parse(Files.readAllBytes(file)).runId());
  }
}
