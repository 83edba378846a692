package org.diffusionbatch.jobs.generate;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.util.ShutdownHookManager;
import org.diffusionbatch.jobs.spark.StopSignals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run told to stop (Ctrl-C, SIGTERM from a scheduler or Kubernetes) says so instead of failing
 * inside Spark. On SIGINT/SIGTERM ({@link StopSignals}, before the JVM's shutdown starts), or on any
 * other shutdown through a Hadoop shutdown hook that runs before Spark's own (which stops the
 * SparkContext under the driver), it marks the run interrupted, cancels its Spark jobs so the write
 * in flight ends at once (its files are never committed), and waits up to {@link #GRACE_SECONDS} for
 * the driver to record the run as interrupted, release the lease and print how to resume.
 */
public final class RunInterruption implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunInterruption.class);

  /** Within Kubernetes' default 30 s between SIGTERM and SIGKILL, with time left for model calls to finish. */
  static final long GRACE_SECONDS = 15;

  private final CountDownLatch runDone = new CountDownLatch(1);
  private final Runnable stop = this::stopRequested;
  private final AtomicBoolean requested = new AtomicBoolean();
  private volatile Runnable onStop = () -> {};

  private RunInterruption() {}

  static RunInterruption install() {
    RunInterruption interruption = new RunInterruption();
    StopSignals.install();
    StopSignals.beforeExit(StopSignals.RUN_ORDER, interruption.stop);
    ShutdownHookManager.get().addShutdownHook(interruption.stop, StopSignals.RUN_HOOK_PRIORITY, GRACE_SECONDS + 5, TimeUnit.SECONDS);
    return interruption;
  }

  /** What to do the moment a stop is asked for (cancel the run's Spark jobs). */
  void onStop(Runnable action) {
    onStop = action;
  }

  boolean requested() {
    return requested.get();
  }

  /** "SIGTERM", "SIGINT", or a description when the JVM was stopped otherwise. */
  String cause() {
    String signal = StopSignals.received();
    return signal != null ? signal : "a shutdown of the JVM";
  }

  /** The exit status for an interrupted run: 130 after SIGINT, 143 after SIGTERM, as a shell expects. */
  int exitStatus() {
    return StopSignals.exitStatus();
  }

  private void stopRequested() {
    if (!requested.compareAndSet(false, true)) {
      return;
    }
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

  /** The run has recorded its end: a waiting stop may go on, and nothing is left installed. */
  @Override
  public void close() {
    runDone.countDown();
    StopSignals.remove(StopSignals.RUN_ORDER, stop);
    if (!requested.get()) {
      try {
        ShutdownHookManager.get().removeShutdownHook(stop);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already shutting down; the hook returns at once now
      }
    }
  }
}
