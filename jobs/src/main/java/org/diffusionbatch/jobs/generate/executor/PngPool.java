package org.diffusionbatch.jobs.generate.executor;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor JVM's pool for PNG encoding (and the image hash and row), so batch k's images encode
 * while batch k+1 denoises. One thread per core: every task of the executor hands its batches
 * here, and with fewer threads than tasks the pool, not the model, would set the pace (on the tiny
 * model one thread for two tasks cut the rate in half). Daemon threads: the pool never keeps an
 * executor alive.
 */
final class PngPool {
  private static final AtomicInteger THREADS = new AtomicInteger();
  static final ExecutorService POOL = Executors.newFixedThreadPool(
      Math.max(2, Runtime.getRuntime().availableProcessors()),
      task -> {
        Thread thread = new Thread(task, "diffusionbatch-png-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });

  private PngPool() {}
}
