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
 * @param latentChannels channels of the UNet's latents (4 for SD 1.x/2.x and SDXL)
 * @param sampleSize default latent height and width (unet/config.json sample_size; 64 for SD 1.5, 128 for SDXL)
 * @param fixedLatentHeight latent height the UNet graph is fixed to, or null when it accepts any
 * @param fixedLatentWidth latent width the UNet graph is fixed to, or null when it accepts any
 * @param latentMultiple latent height and width must be multiples of this: the UNet halves them once per
 *     extra resolution level (8 for SD 1.x/2.x, 4 for SDXL; 1 when unet/config.json does not say)
 * @param hiddenSize width D of the UNet's encoder_hidden_states (768 SD 1.x, 1024 SD 2.x, 2048 SDXL: both
 *     encoders' widths together)
 * @param timeCondDim width of the UNet's {@code timestep_cond} input; 0 when it has none
 * @param floatType "float32" or "float16": the UNet's floating-point type
 * @param vae the VAE decoder: scaling, scale factor, float type
 * @param xl SDXL's second text encoder and added conditions, or null for SD 1.x/2.x and LCM
 * @param quantization how the model's weights were quantized, from its {@value #QUANTIZATION_SIDECAR}
 *     ("weights-int8", "int8"); "none" without one
 */
public record ModelInfo(Path directory, String uri, String digest, String pipelineClass, Path schedulerConfig,
    Path tokenizerDir, int latentChannels, int sampleSize, Integer fixedLatentHeight, Integer fixedLatentWidth,
    int latentMultiple, int hiddenSize, int timeCondDim, String floatType, Vae vae, Xl xl, String quantization) {

  /** The sidecar `diffusion-batch quantize` writes beside model_index.json; its "mode" names the quantization. */
  public static final String QUANTIZATION_SIDECAR = "quantization.json";

  /** {@link #quantization()} of a model without a quantization sidecar. */
  public static final String NOT_QUANTIZED = "none";

  public boolean isQuantized() {
    return !NOT_QUANTIZED.equals(quantization);
  }

  /**
   * The VAE decoder.
   *
   * @param scalingFactor latents are divided by this before decoding (0.18215 SD 1.x, 0.13025 SDXL)
   * @param scaleFactor pixels per latent cell in each direction (8 for SD and SDXL)
   * @param latentsMean per-channel mean SDXL pipelines add back before decoding, or null
   * @param latentsStd per-channel std SDXL pipelines multiply by before decoding, or null
   * @param float16 the decoder graph takes float16 latents
   */
  public record Vae(double scalingFactor, int scaleFactor, float[] latentsMean, float[] latentsStd, boolean float16) {}

  /**
   * What SDXL adds to Stable Diffusion.
   *
   * @param tokenizer2Dir tokenizer_2/ (its own pad token: SDXL's pads with "!")
   * @param textWidth per-token width of text_encoder's penultimate hidden state (768 for SDXL)
   * @param text2Width per-token width of text_encoder_2's penultimate hidden state (1280 for SDXL)
   * @param pooledSize width of the pooled text embedding the UNet takes as {@code text_embeds} (1280 for SDXL)
   * @param timeIdsSize width of the UNet's {@code time_ids} (6: original size, crop top-left, target size)
   * @param forceZerosForEmptyPrompt with guidance and no negative prompt, the negative embeddings are zeros
   */
  public record Xl(Path tokenizer2Dir, int textWidth, int text2Width, int pooledSize, int timeIdsSize, boolean forceZerosForEmptyPrompt) {}

  /** A Latent Consistency Model: its pipeline says so, or its UNet takes a guidance embedding. */
  public boolean isLcm() {
    return timeCondDim > 0 || (pipelineClass != null && pipelineClass.startsWith("LatentConsistencyModel"));
  }

  /** An SDXL model (two text encoders, text_embeds and time_ids into the UNet). */
  public boolean isXl() {
    return xl != null;
  }

  public double vaeScalingFactor() {
    return vae.scalingFactor();
  }

  /** Pixels per latent cell in each direction: 8 for SD 1.x/2.x and SDXL. */
  public int vaeScaleFactor() {
    return vae.scaleFactor();
  }

  /**
   * Checks that the UNet accepts latents of this height and width (image size / the VAE's scale
   * factor), and says which sizes it does accept when it does not.
   */
  public void requireLatentSize(int height, int width) {
    int f = vaeScaleFactor();
    boolean heightOk = fixedLatentHeight == null || fixedLatentHeight == height;
    boolean widthOk = fixedLatentWidth == null || fixedLatentWidth == width;
    if (!heightOk || !widthOk) {
      String accepts = (fixedLatentHeight == null ? "any height" : "height " + fixedLatentHeight * f)
          + " x " + (fixedLatentWidth == null ? "any width" : "width " + fixedLatentWidth * f);
      throw new ModelException("the model at " + uri + " was exported for images of " + accepts + " (latents "
          + (fixedLatentHeight == null ? "any" : fixedLatentHeight) + "x" + (fixedLatentWidth == null ? "any" : fixedLatentWidth)
          + "), but height " + height * f + " x width " + width * f + " (latents " + height + "x" + width
          + ") was asked for; use that size, or re-export the model with dynamic spatial axes"
          + " (optimum-cli export onnx does this by default)");
    }
    if (height % latentMultiple != 0 || width % latentMultiple != 0) {
      int px = latentMultiple * f;
      throw new ModelException("the model at " + uri + " cannot make height " + height * f + " x width " + width * f
          + ": its UNet halves the latents (image / " + f + ") " + Integer.numberOfTrailingZeros(latentMultiple)
          + " times, so height and width must be multiples of " + px + " pixels; use e.g. "
          + nearest(height, latentMultiple) * f + " x " + nearest(width, latentMultiple) * f);
    }
  }

  private static int nearest(int latent, int multiple) {
    return Math.max(multiple, Math.round(latent / (float) multiple) * multiple);
  }
}
