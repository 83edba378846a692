package org.diffusionbatch.jobs.cli;

import org.diffusionbatch.jobs.spark.Device;
import picocli.CommandLine.Option;

/** How executors run the models: the device, ONNX Runtime's threads and optimisation, GPU runs in flight, the model cache. */
public final class ModelRuntimeOptions {

  @Option(names = "--device", paramLabel = "auto|cpu|gpu", defaultValue = "auto", description = "auto: the GPU Spark assigned to the task, else CPU.")
  String device;

  @Option(names = "--intra-op-threads", paramLabel = "N", defaultValue = "0",
      description = "ONNX Runtime intra-op threads per task (default 0: spark.task.cpus, i.e. 1 unless set).")
  int intraOpThreads;

  @Option(names = "--inter-op-threads", paramLabel = "N", defaultValue = "0", description = "ONNX Runtime inter-op threads (0: runtime default).")
  int interOpThreads;

  @Option(names = "--ort-opt-level", paramLabel = "LEVEL", description = "ONNX Runtime graph optimization level.")
  String ortOptLevel;

  @Option(names = "--gpu-runs-per-graph", paramLabel = "N", defaultValue = "0",
      description = "On a GPU, how many runs of one graph (UNet, VAE, text encoder) may be in flight at once; each holds its"
          + " activations in GPU memory (0: 2, so the next run queues while one runs; 1 for the least GPU memory).")
  int gpuRunsPerGraph;

  @Option(names = "--model-cache", paramLabel = "DIR", description = "Where executors cache s3:// models.")
  String modelCache;

  /** Throws IllegalArgumentException naming the option whose value cannot be used. */
  public void validate() {
    if (gpuRunsPerGraph < 0) {
      throw new IllegalArgumentException("--gpu-runs-per-graph must be 0 (default: 2) or more, got " + gpuRunsPerGraph);
    }
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException("--intra-op-threads and --inter-op-threads must be 0 (runtime default) or more");
    }
    Device.parse(device);
  }

  public Device device() {
    return Device.parse(device);
  }

  public int intraOpThreads() {
    return intraOpThreads;
  }

  public int interOpThreads() {
    return interOpThreads;
  }

  public String ortOptLevel() {
    return ortOptLevel;
  }

  public int gpuRunsPerGraph() {
    return gpuRunsPerGraph;
  }

  public String modelCache() {
    return modelCache;
  }
}
