package org.diffusionbatch.core.model;

/** CLIP text encoder: token ids to per-token embeddings. Safe to call from several threads. */
public interface TextEncoder {
  /**
   * Encodes a batch of token id rows (all the same length, 77 for CLIP).
   *
   * @return {@code last_hidden_state} [B, 77, D] flattened in C order, as float32 whatever the graph's type
   */
  float[] encode(int[][] ids);
}
