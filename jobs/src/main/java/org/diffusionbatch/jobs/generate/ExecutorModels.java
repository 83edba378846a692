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
  private static final Map<String, ImageMaker> LOADED = new ConcurrentHashMap<>();

  static {
    // In Hadoop's hook manager, after a run has recorded an interruption (RunInterruption) and before
    // Spark stops (40): a model is not closed under a run that is still winding down.
    org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(ExecutorModels::closeAll, RunInterruption.PRIORITY - 5);
  }

  private ExecutorModels() {}

  /** The model for this device, loading it if this JVM has not yet; concurrent callers wait for one load. */
  public static ImageMaker get(ImageMakerFactory factory, Integer gpu, Runnable onLoad) {
    return LOADED.computeIfAbsent(factory.key(gpu), key -> {
      long start = System.nanoTime();
      ImageMaker maker = factory.load(gpu);
      onLoad.run();
      LOG.info("Loaded model {} in {} ms (device {}, pid {})", maker.modelUri(),
          (System.nanoTime() - start) / 1_000_000, gpu == null ? "cpu" : "gpu " + gpu, ProcessHandle.current().pid());
      return maker;
    });
  }

  /** Closes and forgets every loaded model. */
  public static void closeAll() {
    for (String key : LOADED.keySet()) {
      ImageMaker maker = LOADED.remove(key);
      if (maker != null) {
        try {
          maker.close();
        } catch (RuntimeException e) {
          LOG.warn("Closing model {} failed: {}", key, e.toString());
        }
      }
    }
  }
}
