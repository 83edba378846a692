package org.diffusionbatch.core.model;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.diffusionbatch.core.storage.S3Settings;

/**
 * Which model to load, from where, and how to run it.
 *
 * @param uri a local folder or {@code s3://bucket/prefix} holding an Optimum ONNX export
 * @param gpu CUDA device index, or null for the CPU
 * @param intraOpThreads ONNX Runtime threads inside one operator; 0 = ONNX Runtime's default (all cores)
 * @param interOpThreads ONNX Runtime threads across operators; 0 = default
 * @param optLevel ONNX Runtime graph optimisation: NO_OPT, BASIC_OPT, EXTENDED_OPT or ALL_OPT; null = ALL_OPT
 * @param cacheDir where S3 models are downloaded; null = {@code $DIFFUSION_BATCH_CACHE}, else
 *     {@code ~/.cache/diffusion-batch/models}
 * @param s3 how to reach S3; null = {@link S3Settings#defaults()}
 * @param runsPerGraph how many runs of one graph may be in flight at once; 0 = the default:
 *     {@link GraphRunGate#GPU_DEFAULT} on a GPU (each holds its activations in GPU memory), no bound on the CPU
 */
public record ModelOptions(String uri, Integer gpu, int intraOpThreads, int interOpThreads, String optLevel,
    Path cacheDir, S3Settings s3, int runsPerGraph) {

  static final Set<String> OPT_LEVELS = Set.of("NO_OPT", "BASIC_OPT", "EXTENDED_OPT", "ALL_OPT");

  public ModelOptions {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("model URI is empty; give a local folder or s3://bucket/prefix");
    }
    if (gpu != null && gpu < 0) {
      throw new IllegalArgumentException("GPU index must be 0 or more, got " + gpu);
    }
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException("ONNX Runtime thread counts must be 0 (default) or more, got intra-op "
          + intraOpThreads + ", inter-op " + interOpThreads);
    }
    if (optLevel != null) {
      optLevel = optLevel.toUpperCase(Locale.ROOT);
      if (!OPT_LEVELS.contains(optLevel)) {
        throw new IllegalArgumentException("ONNX Runtime optimisation level '" + optLevel
            + "' is not one of NO_OPT, BASIC_OPT, EXTENDED_OPT, ALL_OPT");
      }
    }
    if (runsPerGraph < 0) {
      throw new IllegalArgumentException("runs per graph must be 0 (default) or more, got " + runsPerGraph);
    }
    s3 = s3 == null ? S3Settings.defaults() : s3;
  }

  /** A local model on the CPU with ONNX Runtime's defaults. */
  public static ModelOptions local(Path dir) {
    return of(dir.toString());
  }

  /** A model at a local folder or s3:// URI, on the CPU with ONNX Runtime's defaults. */
  public static ModelOptions of(String uri) {
    return new ModelOptions(uri, null, 0, 0, null, null, null, 0);
  }

  public ModelOptions withGpu(Integer index) {
    return new ModelOptions(uri, index, intraOpThreads, interOpThreads, optLevel, cacheDir, s3, runsPerGraph);
  }

  public ModelOptions withThreads(int intraOp, int interOp) {
    return new ModelOptions(uri, gpu, intraOp, interOp, optLevel, cacheDir, s3, runsPerGraph);
  }

  public ModelOptions withOptLevel(String level) {
    return new ModelOptions(uri, gpu, intraOpThreads, interOpThreads, level, cacheDir, s3, runsPerGraph);
  }

  public ModelOptions withCacheDir(Path dir) {
    return new ModelOptions(uri, gpu, intraOpThreads, interOpThreads, optLevel, dir, s3, runsPerGraph);
  }

  public ModelOptions withS3(S3Settings settings) {
    return new ModelOptions(uri, gpu, intraOpThreads, interOpThreads, optLevel, cacheDir, settings, runsPerGraph);
  }

  public ModelOptions withRunsPerGraph(int runs) {
    return new ModelOptions(uri, gpu, intraOpThreads, interOpThreads, optLevel, cacheDir, s3, runs);
  }

  /** How many runs of one graph may be in flight at once; 0 = no bound. */
  public int effectiveRunsPerGraph() {
    return runsPerGraph > 0 ? runsPerGraph : gpu != null ? GraphRunGate.GPU_DEFAULT : 0;
  }

  /** The optimisation level ONNX Runtime will use. */
  public String effectiveOptLevel() {
    return optLevel == null ? "ALL_OPT" : optLevel;
  }

  /** The cache folder for S3 models: the option, else $DIFFUSION_BATCH_CACHE, else ~/.cache/diffusion-batch/models. */
  public Path effectiveCacheDir() {
    if (cacheDir != null) {
      return cacheDir;
    }
    String env = System.getenv("DIFFUSION_BATCH_CACHE");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "diffusion-batch", "models");
  }
}
