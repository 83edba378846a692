package org.diffusionbatch.jobs.generate;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.util.ShutdownHookManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run told to stop (Ctrl-C, SIGTERM from a scheduler or Kubernetes) says so instead of failing
 * inside Spark. The JVM runs shutdown hooks on those signals; Spark's own hook (priority 40 in
 * Hadoop's {@link ShutdownHookManager}) stops the SparkContext, which left the driver with Spark's
 * internal errors. This hook runs first: it marks the run interrupted, cancels its Spark jobs so the
 * write in flight ends at once (its files are never committed), and waits up to {@link #GRACE} for
 * the driver to record the run as interrupted, release the lease and print how to resume. Then
 * Spark shuts down and the JVM exits with the signal's status (130 for SIGINT, 143 for SIGTERM).
 */
final class RunInterruption implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunInterruption.class);

  /** Above Spark's SparkShutdownHookManager (FileSystem's 10 + 30) and the model cache's close, so this runs first. */
  static final int PRIORITY = 50;
  /** Within Kubernetes' default 30 s between SIGTERM and SIGKILL. */
  static final long GRACE_SECONDS = 20;

  private final CountDownLatch runDone = new CountDownLatch(1);
  private final Runnable hook = this::stopRequested;
  private volatile boolean requested;
  private volatile Runnable onStop = () -> {};
  private static volatile String lastSignal;

  static {
    watch("INT");
    watch("TERM");
  }

  private RunInterruption() {}

  static RunInterruption install() {
    RunInterruption interruption = new RunInterruption();
    ShutdownHookManager.get().addShutdownHook(interruption.hook, PRIORITY, GRACE_SECONDS + 5, TimeUnit.SECONDS);
    return interruption;
  }

  /** What to do the moment a stop is asked for (cancel the run's Spark jobs). */
  void onStop(Runnable action) {
    onStop = action;
  }

  boolean requested() {
    return requested;
  }

  /** "SIGTERM", "SIGINT", or a description when the JVM was stopped otherwise. */
  String cause() {
    String signal = lastSignal;
    return signal != null ? "SIG" + signal : "a shutdown of the JVM (a signal or System.exit)";
  }

  private void stopRequested() {
    requested = true;
    LOG.warn("stop requested ({}): cancelling the run's Spark jobs; finished commits are kept", cause());
    try {
      onStop.run();
    } catch (RuntimeException e) {
      LOG.warn("cancelling the Spark jobs failed: {}", e.toString());
    }
    try {
      if (!runDone.await(GRACE_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("the run did not finish recording its state within {} s of the stop request", GRACE_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The run has recorded its end: the hook (if running) may return, and it is removed otherwise. */
  @Override
  public void close() {
    runDone.countDown();
    if (!requested) {
      try {
        ShutdownHookManager.get().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already shutting down; the hook returns at once now
      }
    }
  }

  /** Remembers which signal arrived, then hands it to the JVM's own handler (which starts the shutdown). */
  @SuppressWarnings("restriction")
  private static void watch(String name) {
    try {
      sun.misc.Signal signal = new sun.misc.Signal(name);
      sun.misc.SignalHandler[] previous = new sun.misc.SignalHandler[1];
      previous[0] = sun.misc.Signal.handle(signal, s -> {
        lastSignal = name;
        sun.misc.SignalHandler next = previous[0];
        if (next != null && next != sun.misc.SignalHandler.SIG_DFL && next != sun.misc.SignalHandler.SIG_IGN) {
          next.handle(s);
        } else if (next == sun.misc.SignalHandler.SIG_DFL) {
          System.exit(128 + s.getNumber());
        }
      });
    } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
      // the signal is not available here (or the JVM runs with -Xrs): the cause stays generic
    }
  }
}
