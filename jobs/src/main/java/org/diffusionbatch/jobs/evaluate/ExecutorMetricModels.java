package org.diffusionbatch.jobs.evaluate;

import java.util.function.Supplier;
import org.diffusionbatch.jobs.model.ExecutorModels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metric models loaded in this JVM, one per (model, device), shared by every task of the
 * executor: an Inception or CLIP session is hundreds of megabytes, so tasks must not each load
 * their own. Held by {@link ExecutorModels} with the diffusion models, so they are likewise not
 * closed under a call in progress when the JVM exits (calls go through {@link ExecutorModels#inModel}).
 */
final class ExecutorMetricModels {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorMetricModels.class);

  private ExecutorMetricModels() {}

  /** The model under this key, loading it if this JVM has not yet; concurrent callers wait for one load. */
  @SuppressWarnings("unchecked")
  static <T extends AutoCloseable> T get(String key, Supplier<T> load) {
    return (T) ExecutorModels.get(key, AutoCloseable.class, () -> {
      long start = System.nanoTime();
      T model = load.get();
      LOG.info("Loaded metric model {} in {} ms (pid {})", key, (System.nanoTime() - start) / 1_000_000,
          ProcessHandle.current().pid());
      return model;
    });
  }
}
