package org.diffusionbatch.core.model;

import org.diffusionbatch.core.sampler.LatentShape;

/** The denoising UNet: one noise (or v / x0) prediction per call. Safe to call from several threads. */
public interface UNet {
  /**
   * @param sample latents [B, C, h, w] flattened in C order
   * @param shape the latents' shape
   * @param timestep the scheduler's timestep (fed as the graph declares it: float scalar, or int64/float [B])
   * @param conditioning text embeddings and whatever else this UNet takes, B rows each
   * @return the UNet's output [B, C, h, w] flattened, as float32
   */
  float[] predict(float[] sample, LatentShape shape, double timestep, UNetConditioning conditioning);
}
