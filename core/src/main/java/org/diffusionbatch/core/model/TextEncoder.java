package org.diffusionbatch.core.model;

/** A CLIP text encoder: token ids to embeddings. Safe to call from several threads. */
public interface TextEncoder {
  /**
   * Encodes a batch of token id rows (all the same length, 77 for CLIP).
   *
   * @return per-token embeddings [B, 77, D] (and the pooled embedding where this encoder gives the
   *     pipeline one), as float32 whatever the graph's type
   */
  TextEmbeddings encode(int[][] ids);
}
