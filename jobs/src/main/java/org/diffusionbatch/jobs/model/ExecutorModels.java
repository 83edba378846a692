package org.diffusionbatch.jobs.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.hadoop.util.ShutdownHookManager;
import org.diffusionbatch.jobs.spark.StopSignals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models loaded in this JVM: one per (model, device), shared by all tasks of the executor,
 * loaded on first use and kept until the JVM exits. Loading a diffusion model takes seconds to
 * minutes and gigabytes, so tasks must not each load their own.
 *
 * <p>At exit (SIGTERM, Ctrl-C) a task of a cancelled job may still be inside the model, and ONNX
 * Runtime's own shutdown hook frees its native environment under a running call, which crashes the
 * JVM (SIGSEGV). So every call goes through {@link #inModel}, and on a stop signal
 * ({@link StopSignals}, before the JVM's shutdown starts) or failing that in an early shutdown hook,
 * no new call starts and the calls in progress (one batch each) are awaited, up to 10 s. Models are
 * not closed at exit: the process's end frees them.
 */
public final class ExecutorModels {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
  private static final Map<String, AutoCloseable> LOADED = new ConcurrentHashMap<>();
  private static final AtomicInteger CALLS_IN_PROGRESS = new AtomicInteger();
  private static volatile boolean exiting;

  static {
    StopSignals.install();
    StopSignals.beforeExit(StopSignals.MODEL_CALLS_ORDER, ExecutorModels::awaitCallsInProgress);
    ShutdownHookManager.get().addShutdownHook(ExecutorModels::awaitCallsInProgress, StopSignals.MODEL_CALLS_HOOK_PRIORITY, 15, TimeUnit.SECONDS);
  }

  private ExecutorModels() {}

  /** The model for this device, loading it if this JVM has not yet; concurrent callers wait for one load. */
  public static ImageMaker get(ImageMakerFactory factory, Integer gpu) {
    return get(factory.key(gpu), ImageMaker.class, () -> {
      long start = System.nanoTime();
      ImageMaker maker = factory.load(gpu);
      LOG.info("Loaded model {} in {} ms (device {}, pid {})", maker.modelUri(),
          (System.nanoTime() - start) / 1_000_000, gpu == null ? "cpu" : "gpu " + gpu, ProcessHandle.current().pid());
      return maker;
    });
  }

  /** Any other model an executor's tasks share (e.g. a feature extractor), under a key naming it and its device. */
  public static <T extends AutoCloseable> T get(String key, Class<T> type, java.util.function.Supplier<T> load) {
    return type.cast(LOADED.computeIfAbsent(key, k -> load.get()));
  }

  /** Runs one call into a loaded model; refused once the JVM is shutting down (see the class comment). */
  public static <T> T inModel(Supplier<T> call) {
    CALLS_IN_PROGRESS.incrementAndGet();
    try {
      if (exiting) {
        throw new IllegalStateException("the JVM is shutting down: no new model call");
      }
      return call.get();
    } finally {
      CALLS_IN_PROGRESS.decrementAndGet();
    }
  }

  /** From now on no new model call starts in this JVM; waits (up to 10 s) for those in progress. */
  public static void awaitCallsInProgress() {
    exiting = true;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (CALLS_IN_PROGRESS.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (CALLS_IN_PROGRESS.get() > 0) {
      LOG.warn("{} model call(s) still running at exit after 10 s", CALLS_IN_PROGRESS.get());
    }
  }

  /** Closes and forgets every loaded model. */
  public static void closeAll() {
    for (String key : LOADED.keySet()) {
      AutoCloseable maker = LOADED.remove(key);
      if (maker != null) {
        try {
          maker.close();
        } catch (Exception e) {
          LOG.warn("Closing model {} failed: {}", key, e.toString());
        }
      }
    }
  }
}
