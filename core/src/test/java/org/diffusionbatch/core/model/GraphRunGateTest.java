package org.diffusionbatch.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GraphRunGateTest {

  @Test
  void withTwoPlacesTwoRunsAreInsideAtOnceAndAThirdWaitsUntilOneLeaves() throws Exception {
    GraphRunGate gate = GraphRunGate.of(2);
    CountDownLatch bothInside = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Future<?> first = pool.submit(() -> gate.run(() -> hold(inside, most, bothInside, release)));
      Future<?> second = pool.submit(() -> gate.run(() -> hold(inside, most, bothInside, release)));
      assertTrue(bothInside.await(10, TimeUnit.SECONDS), "two runs should be inside the gate at once");
      CountDownLatch thirdInside = new CountDownLatch(1);
      Future<?> third = pool.submit(() -> gate.run(() -> {
        thirdInside.countDown();
        return null;
      }));
      assertFalse(thirdInside.await(300, TimeUnit.MILLISECONDS), "a third run must wait while two are inside");
      assertThrows(TimeoutException.class, () -> third.get(10, TimeUnit.MILLISECONDS));
      release.countDown();
      first.get(10, TimeUnit.SECONDS);
      second.get(10, TimeUnit.SECONDS);
      third.get(10, TimeUnit.SECONDS);
      assertEquals(2, most.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRunThatThrowsFreesItsPlaceAndTheExceptionComesThrough() throws Exception {
    GraphRunGate gate = GraphRunGate.of(1);
    IOException e = assertThrows(IOException.class, () -> gate.run(() -> {
      throw new IOException("broken graph");
    }));
    assertEquals("broken graph", e.getMessage());
    // The place is free again: a second run enters at once (it would block forever otherwise).
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      assertEquals("ran", pool.submit(() -> gate.run(() -> "ran")).get(10, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void zeroMeansNoBoundAndNegativeIsRefused() throws Exception {
    assertEquals(0, GraphRunGate.of(0).limit());
    assertEquals("ran", GraphRunGate.of(0).run(() -> "ran"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GraphRunGate.of(-1));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
  }

  private static Object hold(AtomicInteger inside, AtomicInteger most, CountDownLatch entered, CountDownLatch release)
      throws InterruptedException {
    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
    entered.countDown();
    try {
      release.await(10, TimeUnit.SECONDS);
    } finally {
      inside.decrementAndGet();
    }
    return null;
  }
}
