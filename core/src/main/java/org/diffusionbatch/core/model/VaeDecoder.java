package org.diffusionbatch.core.model;

import org.diffusionbatch.core.sampler.LatentShape;

/** The VAE decoder: latents to images. Safe to call from several threads. */
public interface VaeDecoder {
  /**
   * @param latents [B, C, h, w] flattened, already divided by {@link ModelInfo#vaeScalingFactor()}
   * @return images [B, 3, 8h, 8w] flattened, values roughly in [-1, 1], as float32
   */
  float[] decode(float[] latents, LatentShape shape);
}
