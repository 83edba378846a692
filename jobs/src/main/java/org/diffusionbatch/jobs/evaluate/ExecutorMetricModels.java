package org.diffusionbatch.jobs.evaluate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metric models loaded in this JVM, one per (model, device), shared by every task of the
 * executor and closed when the JVM exits: an Inception or CLIP session is hundreds of megabytes,
 * so tasks must not each load their own.
 */
final class ExecutorMetricModels {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorMetricModels.class);
  private static final Map<String, AutoCloseable> LOADED = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ExecutorMetricModels::closeAll, "diffusionbatch-close-metric-models"));
  }

  private ExecutorMetricModels() {}

  /** The model under this key, loading it if this JVM has not yet; concurrent callers wait for one load. */
  @SuppressWarnings("unchecked")
  static <T extends AutoCloseable> T get(String key, Supplier<T> load) {
    return (T) LOADED.computeIfAbsent(key, k -> {
      long start = System.nanoTime();
      T model = load.get();
      LOG.info("Loaded metric model {} in {} ms (pid {})", k, (System.nanoTime() - start) / 1_000_000,
          ProcessHandle.current().pid());
      return model;
    });
  }

  /** Closes and forgets every loaded model. */
  static void closeAll() {
    for (String key : LOADED.keySet()) {
      AutoCloseable model = LOADED.remove(key);
      if (model != null) {
        try {
          model.close();
        } catch (Exception e) {
          LOG.warn("Closing metric model {} failed: {}", key, e.toString());
        }
      }
    }
  }
}
