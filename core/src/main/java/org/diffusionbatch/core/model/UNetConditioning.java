package org.diffusionbatch.core.model;

/**
 * Everything a UNet call is conditioned on besides the latents and the timestep, one row per
 * latent row (with classifier-free guidance: the unconditional rows first, as the latents).
 *
 * @param encoderHiddenStates text embeddings [B, 77, D] flattened
 * @param timestepCond LCM's guidance embedding [B, time_cond_proj_dim], or null for UNets without one
 * @param textEmbeds SDXL's pooled text embedding [B, P] ({@code added_cond_kwargs["text_embeds"]}), or null
 * @param timeIds SDXL's size conditioning [B, 6]: original size, crop top-left, target size, each
 *     (height, width) ({@code added_cond_kwargs["time_ids"]}), or null
 */
public record UNetConditioning(float[] encoderHiddenStates, float[] timestepCond, float[] textEmbeds, float[] timeIds) {
  public UNetConditioning {
    if (encoderHiddenStates == null) {
      throw new IllegalArgumentException("a UNet call needs encoder_hidden_states");
    }
    if ((textEmbeds == null) != (timeIds == null)) {
      throw new IllegalArgumentException("SDXL's text_embeds and time_ids go together: give both or neither");
    }
  }

  /** Text embeddings only: SD 1.x/2.x. */
  public static UNetConditioning of(float[] encoderHiddenStates) {
    return new UNetConditioning(encoderHiddenStates, null, null, null);
  }

  /** The same with LCM's guidance embedding. */
  public UNetConditioning withTimestepCond(float[] cond) {
    return new UNetConditioning(encoderHiddenStates, cond, textEmbeds, timeIds);
  }

  /** The same with SDXL's added conditions (pooled text embedding and size conditioning). */
  public UNetConditioning withAddedConditions(float[] pooledTextEmbeds, float[] sizeTimeIds) {
    return new UNetConditioning(encoderHiddenStates, timestepCond, pooledTextEmbeds, sizeTimeIds);
  }
}
