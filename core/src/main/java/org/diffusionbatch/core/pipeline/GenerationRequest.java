package org.diffusionbatch.core.pipeline;

/**
 * One image to make: its prompt, negative prompt ("" when none) and seed. The seed alone fixes
 * the row's initial latents (torch CPU generator semantics), whatever batch the row lands in.
 */
public record GenerationRequest(String prompt, String negativePrompt, long seed) {
  public GenerationRequest {
    negativePrompt = negativePrompt == null ? "" : negativePrompt;
  }
}
