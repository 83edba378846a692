package org.diffusionbatch.core.sampler;

/**
 * Standard normal noise for a whole batch, drawn the way diffusers draws it: row r of the batch
 * comes from row r's own generator, so each row is reproducible from its seed alone.
 */
public interface NoiseSource {
  /** Fills {@code out} (a whole batch, [B, C, H, W] in C order) with fresh N(0, 1) noise. */
  void fill(float[] out, LatentShape shape);
}
