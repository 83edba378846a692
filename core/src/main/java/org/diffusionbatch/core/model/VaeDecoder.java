package org.diffusionbatch.core.model;

import org.diffusionbatch.core.sampler.LatentShape;

/** The VAE decoder: latents to images. Safe to call from several threads. */
public interface VaeDecoder {
  /**
   * @param latents [B, C, h, w] flattened, already unscaled (divided by the VAE's scaling_factor)
   * @return images [B, 3, f*h, f*w] flattened (f the VAE's scale factor, 8 for SD), values roughly
   *     in [-1, 1], as float32
   */
  float[] decode(float[] latents, LatentShape shape);
}
