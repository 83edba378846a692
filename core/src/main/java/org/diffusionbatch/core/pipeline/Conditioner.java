package org.diffusionbatch.core.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.diffusionbatch.core.model.ModelInfo;
import org.diffusionbatch.core.model.UNetConditioning;
import org.diffusionbatch.core.sampler.GuidanceEmbedding;

/**
 * A batch's prompts and settings to everything the UNet is conditioned on, as diffusers' pipelines
 * build it: text embeddings (unconditional rows first under guidance), LCM's guidance embedding,
 * and SDXL's pooled text embedding and size {@code time_ids}.
 */
final class Conditioner {
  private final ModelInfo info;
  private final PromptEncoder prompts;

  Conditioner(ModelInfo info, PromptEncoder prompts) {
    this.info = info;
    this.prompts = prompts;
  }

  /**
   * Classifier-free guidance runs for scale > 1, except for guidance-distilled UNets (LCM, LCM-SDXL:
   * a {@code timestep_cond} input), which get the scale as an embedding instead.
   */
  boolean guided(GenerationSettings s) {
    return !info.isLcm() && s.guidanceScale() > 1.0;
  }

  /** B rows, or 2B (unconditional, then conditional) when {@link #guided}. */
  UNetConditioning conditioning(GenerationSettings s, List<GenerationRequest> batch) {
    boolean guided = guided(s);
    List<String> texts = new ArrayList<>(batch.size());
    List<String> negatives = guided ? new ArrayList<>(batch.size()) : null;
    for (GenerationRequest r : batch) {
      texts.add(r.prompt());
      if (guided) {
        negatives.add(negativeText(r.negativePrompt()));
      }
    }
    PromptEncoder.Encoded encoded = prompts.encode(texts, negatives);
    UNetConditioning c = UNetConditioning.of(encoded.tokens());
    if (info.timeCondDim() > 0) {
      c = c.withTimestepCond(repeat(GuidanceEmbedding.lcm(s.guidanceScale(), info.timeCondDim()), batch.size()));
    }
    if (info.isXl()) {
      float[] ids = s.sizeConditioning().timeIds(s.height(), s.width());
      float[] timeIds = repeat(ids, batch.size());
      if (guided) {
        float[] negativeIds = s.sizeConditioning().negativeTimeIds(s.height(), s.width());
        timeIds = concat(repeat(negativeIds, batch.size()), timeIds);
      }
      c = c.withAddedConditions(encoded.pooled(), timeIds);
    }
    return c;
  }

  /**
   * No negative prompt: SDXL with force_zeros_for_empty_prompt guides away from zeros (null here);
   * Stable Diffusion, and SDXL without it, from the encoded "".
   */
  private String negativeText(String negative) {
    if (negative != null) {
      return negative;
    }
    return info.isXl() && info.xl().forceZerosForEmptyPrompt() ? null : "";
  }

  private static float[] repeat(float[] row, int times) {
    float[] out = new float[row.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(row, 0, out, i * row.length, row.length);
    }
    return out;
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = new float[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
