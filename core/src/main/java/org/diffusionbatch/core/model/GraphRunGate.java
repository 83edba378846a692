package org.diffusionbatch.core.model;

import java.util.concurrent.Semaphore;

/**
 * How many runs of one graph may be in flight at once. On a GPU every concurrent run holds its own
 * set of activations in GPU memory, so runs are bounded; but with one run at a time the GPU idles
 * at every hand-over (the finished run's thread wakes and lets go, the next one wakes, copies its
 * inputs and launches), a few milliseconds per UNet step on a busy host. Two in flight let the next
 * run queue behind the current one: the measured difference on a simulated H100 was 96.5 % busy with
 * one, 99.3 % with two (docs/performance.md). Only the run itself is gated: feeding inputs and
 * reading outputs are host work.
 *
 * <p>Thread-safe.
 */
public final class GraphRunGate {
  /** Runs per graph in flight on a GPU unless the options say otherwise. */
  public static final int GPU_DEFAULT = 2;

  private final Semaphore permits;
  private final int limit;

  private GraphRunGate(int limit) {
    this.limit = limit;
    this.permits = limit > 0 ? new Semaphore(limit, true) : null;
  }

  /** At most {@code runs} at once; 0 for no bound. */
  public static GraphRunGate of(int runs) {
    if (runs < 0) {
      throw new IllegalArgumentException("runs per graph must be 0 (no bound) or more, got " + runs);
    }
    return new GraphRunGate(runs);
  }

  /** The bound, or 0 for none. */
  public int limit() {
    return limit;
  }

  /** A run of a graph, which may throw its own checked exception. */
  @FunctionalInterface
  public interface Run<T, E extends Exception> {
    T run() throws E;
  }

  /** Runs {@code run} once a place is free (in arrival order), and frees the place when it returns or throws. */
  public <T, E extends Exception> T run(Run<T, E> run) throws E {
    if (permits == null) {
      return run.run();
    }
    permits.acquireUninterruptibly();
    try {
      return run.run();
    } finally {
      permits.release();
    }
  }
}
