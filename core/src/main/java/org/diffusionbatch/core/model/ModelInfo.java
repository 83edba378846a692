package org.diffusionbatch.core.model;

import java.nio.file.Path;

/**
 * What a loaded model is: where its files are, what pipeline and scheduler it was exported with,
 * and the sizes and types its graphs declare.
 *
 * @param directory the local folder holding the model (the cache folder for S3 models)
 * @param uri the URI the user gave
 * @param digest SHA-256 over the model's files (relative path and bytes, sorted); equal for equal files
 * @param pipelineClass {@code _class_name} from model_index.json, or null when there is none
 * @param schedulerConfig scheduler/scheduler_config.json
 * @param tokenizerDir tokenizer/ (vocab.json, merges.txt)
 * @param latentChannels channels of the UNet's latents (4 for SD 1.x/2.x)
 * @param sampleSize default latent height and width (unet/config.json sample_size; 64 for SD 1.5)
 * @param fixedLatentHeight latent height the UNet graph is fixed to, or null when it accepts any
 * @param fixedLatentWidth latent width the UNet graph is fixed to, or null when it accepts any
 * @param vaeScalingFactor latents are divided by this before decoding (0.18215 for SD 1.x)
 * @param hiddenSize text embedding width D (768 for SD 1.x, 1024 for SD 2.x)
 * @param timeCondDim width of the UNet's {@code timestep_cond} input; 0 when it has none
 * @param floatType "float32" or "float16": the UNet's floating-point type
 * @param quantization how the model's weights were quantized, from its {@value #QUANTIZATION_SIDECAR}
 *     ("weights-int8", "int8"); "none" without one
 */
public record ModelInfo(Path directory, String uri, String digest, String pipelineClass, Path schedulerConfig,
    Path tokenizerDir, int latentChannels, int sampleSize, Integer fixedLatentHeight, Integer fixedLatentWidth,
    double vaeScalingFactor, int hiddenSize, int timeCondDim, String floatType, String quantization) {

  /** The sidecar `diffusion-batch quantize` writes beside model_index.json; its "mode" names the quantization. */
  public static final String QUANTIZATION_SIDECAR = "quantization.json";

  /** {@link #quantization()} of a model without a quantization sidecar. */
  public static final String NOT_QUANTIZED = "none";

  /** Pixels per latent cell in each direction: SD's VAE downsamples by 8. */
  public static final int VAE_SCALE = 8;

  public boolean isQuantized() {
    return !NOT_QUANTIZED.equals(quantization);
  }

  /** A Latent Consistency Model: its pipeline says so, or its UNet takes a guidance embedding. */
  public boolean isLcm() {
    return timeCondDim > 0 || (pipelineClass != null && pipelineClass.startsWith("LatentConsistencyModel"));
  }

  /**
   * Checks that the UNet accepts latents of this height and width (image size / 8), and says which
   * sizes it does accept when it does not.
   */
  public void requireLatentSize(int height, int width) {
    boolean heightOk = fixedLatentHeight == null || fixedLatentHeight == height;
    boolean widthOk = fixedLatentWidth == null || fixedLatentWidth == width;
    if (!heightOk || !widthOk) {
      String accepts = (fixedLatentHeight == null ? "any height" : "height " + fixedLatentHeight * VAE_SCALE)
          + " x " + (fixedLatentWidth == null ? "any width" : "width " + fixedLatentWidth * VAE_SCALE);
      throw new ModelException("the model at " + uri + " was exported for images of " + accepts + " (latents "
          + (fixedLatentHeight == null ? "any" : fixedLatentHeight) + "x" + (fixedLatentWidth == null ? "any" : fixedLatentWidth)
          + "), but height " + height * VAE_SCALE + " x width " + width * VAE_SCALE + " (latents " + height + "x" + width
          + ") was asked for; use that size, or re-export the model with dynamic spatial axes"
          + " (optimum-cli export onnx does this by default)");
    }
  }
}
