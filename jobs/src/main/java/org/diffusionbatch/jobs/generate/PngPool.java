package org.diffusionbatch.jobs.generate;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor JVM's small pool for PNG encoding, so batch k's images encode while batch k+1
 * denoises. Daemon threads: the pool never keeps an executor alive.
 */
final class PngPool {
  private static final AtomicInteger THREADS = new AtomicInteger();
  static final ExecutorService POOL = Executors.newFixedThreadPool(
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2)),
      task -> {
        Thread thread = new Thread(task, "diffusionbatch-png-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });

  private PngPool() {}
}
