package org.diffusionbatch.jobs.generate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models loaded in this JVM: one per (model, device), shared by all tasks of the executor,
 * loaded on first use and closed when the JVM exits. Loading a diffusion model takes seconds to
 * minutes and gigabytes, so tasks must not each load their own.
 */
public final class ExecutorModels {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
  private static final Map<String, AutoCloseable> LOADED = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "diffusionbatch-close-models"));
  }

  private ExecutorModels() {}

  /** The model for this device, loading it if this JVM has not yet; concurrent callers wait for one load. */
  public static ImageMaker get(ImageMakerFactory factory, Integer gpu, Runnable onLoad) {
    return get(factory.key(gpu), ImageMaker.class, () -> {
      long start = System.nanoTime();
      ImageMaker maker = factory.load(gpu);
      onLoad.run();
      LOG.info("Loaded model {} in {} ms (device {}, pid {})", maker.modelUri(),
          (System.nanoTime() - start) / 1_000_000, gpu == null ? "cpu" : "gpu " + gpu, ProcessHandle.current().pid());
      return maker;
    });
  }

  /** Any other model an executor's tasks share (e.g. a feature extractor), under a key naming it and its device. */
  public static <T extends AutoCloseable> T get(String key, Class<T> type, java.util.function.Supplier<T> load) {
    return type.cast(LOADED.computeIfAbsent(key, k -> load.get()));
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
