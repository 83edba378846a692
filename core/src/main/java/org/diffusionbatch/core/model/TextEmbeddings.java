package org.diffusionbatch.core.model;

/**
 * What a text encoder gives for a batch of token rows.
 *
 * @param tokens the per-token embeddings the UNet is conditioned on, [B, L, D] flattened in C order:
 *     {@code last_hidden_state} for SD 1.x/2.x, the penultimate hidden state for each of SDXL's encoders
 * @param pooled the pooled (projected) embedding [B, P] (SDXL's {@code text_embeds}), or null when the
 *     encoder is not asked for one
 */
public record TextEmbeddings(float[] tokens, float[] pooled) {
  public TextEmbeddings {
    if (tokens == null) {
      throw new IllegalArgumentException("text embeddings need the per-token values");
    }
  }
}
