package org.diffusionbatch.jobs.generate;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A driver thread that logs rows done of total, images/s and ETA from the run's accumulators.
 * Accumulators reach the driver as tasks finish, so the line moves per finished task; executors
 * log every batch themselves.
 */
final class ProgressReporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

  private final GenerateMetrics metrics;
  private final long total;
  private final long startNanos = System.nanoTime();
  private final Thread thread;

  ProgressReporter(GenerateMetrics metrics, long total, Duration interval) {
    this.metrics = metrics;
    this.total = total;
    this.thread = new Thread(() -> {
      try {
        while (true) {
          Thread.sleep(interval.toMillis());
          LOG.info(line());
        }
      } catch (InterruptedException stopped) {
        Thread.currentThread().interrupt();
      }
    }, "diffusionbatch-progress");
    thread.setDaemon(true);
    thread.start();
  }

  String line() {
    long made = metrics.imagesMade().value();
    long done = made + metrics.rowsFailed().value();
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double rate = made / Math.max(seconds, 1e-9);
    String eta = done == 0 || done >= total ? "-" : Duration.ofSeconds((long) ((total - done) * seconds / done)).toString().substring(2).toLowerCase();
    return String.format("progress: %d of %d rows done (%.1f%%), %d images, %.2f images/s, ETA %s",
        done, total, total == 0 ? 100.0 : 100.0 * done / total, made, rate, eta);
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
