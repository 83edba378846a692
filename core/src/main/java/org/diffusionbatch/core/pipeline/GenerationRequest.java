package org.diffusionbatch.core.pipeline;

/**
 * One image to make: its prompt, negative prompt and seed. The seed alone fixes the row's initial
 * latents (torch CPU generator semantics), whatever batch the row lands in.
 *
 * @param negativePrompt null when none is given: Stable Diffusion then guides away from "", SDXL
 *     (force_zeros_for_empty_prompt) from zero embeddings, as diffusers' {@code negative_prompt=None};
 *     "" is encoded like any other text
 */
public record GenerationRequest(String prompt, String negativePrompt, long seed) {}
