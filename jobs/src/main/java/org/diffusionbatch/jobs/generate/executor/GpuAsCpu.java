package org.diffusionbatch.jobs.generate.executor;

import org.apache.spark.SparkConf;
import org.diffusionbatch.jobs.model.ImageMaker;
import org.diffusionbatch.jobs.model.ImageMakerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code diffusionbatch.testing.gpuAsCpu=true} (the job option {@code --conf}; spark-submit's own
 * {@code --conf} drops keys outside {@code spark.*}), for trying a deployment where there is no CUDA
 * (deploy/local-cluster/run.sh): Spark's GPU scheduling runs as on a GPU cluster (a task under
 * {@code --device gpu} still fails without an assigned address, and an executor loads one model per
 * assigned address), but each model runs on the CPU instead of ONNX Runtime's CUDA provider. Off
 * unless set; when on, the driver log, every stand-in model load and the run manifest
 * ({@code gpu_as_cpu}) say so.
 */
public final class GpuAsCpu implements ImageMakerFactory {
  public static final String CONF = "diffusionbatch.testing.gpuAsCpu";
  private static final Logger LOG = LoggerFactory.getLogger(GpuAsCpu.class);

  private final ImageMakerFactory delegate;

  private GpuAsCpu(ImageMakerFactory delegate) {
    this.delegate = delegate;
  }

  public static boolean enabled(SparkConf conf) {
    return conf.getBoolean(CONF, false);
  }

  /** The factory executors use: the given one, or one that loads each GPU address's model on the CPU. */
  public static ImageMakerFactory wrapIf(boolean on, ImageMakerFactory factory) {
    return on ? new GpuAsCpu(factory) : factory;
  }

  /** One model per assigned address, as with real GPUs, though each is a CPU session. */
  @Override
  public String key(Integer gpu) {
    return gpu == null ? delegate.key(null) : delegate.key(null) + "|stand-in for gpu " + gpu;
  }

  @Override
  public ImageMaker load(Integer gpu) {
    if (gpu != null) {
      LOG.warn("{}=true: the model for GPU address {} runs on the CPU (a stand-in GPU, for testing a deployment)", CONF, gpu);
    }
    return delegate.load(null);
  }
}
