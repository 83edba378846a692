package org.diffusionbatch.core.pipeline;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every row of one batch shares: sampler, steps, guidance and image size.
 *
 * @param sampler a sampler name ({@code dpmpp-2m}, {@code lcm}, ...); null means the model's own scheduler
 * @param steps number of denoising steps
 * @param guidanceScale classifier-free guidance scale; at or below 1 turns CFG off
 * @param guidanceRescale diffusers' guidance_rescale, 0 for none
 * @param width image width in pixels, a multiple of 8
 * @param height image height in pixels, a multiple of 8
 * @param samplerOverrides diffusers scheduler_config keys that override the model's config
 * @param sizeConditioning SDXL's original/target size and crop conditioning; null or
 *     {@link SizeConditioning#DEFAULTS} for diffusers' defaults (SDXL models only)
 */
public record GenerationSettings(
    String sampler,
    int steps,
    double guidanceScale,
    double guidanceRescale,
    int width,
    int height,
    Map<String, Object> samplerOverrides,
    SizeConditioning sizeConditioning) {

  public GenerationSettings {
    // Not Map.copyOf: a JSON null is a meaningful override value (e.g. variance_type: null).
    samplerOverrides =
        samplerOverrides == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(samplerOverrides));
    sizeConditioning = sizeConditioning == null ? SizeConditioning.DEFAULTS : sizeConditioning;
  }

  /**
   * These settings with what they leave unset taken from {@code defaults} (a model's): a null or
   * blank sampler, non-positive steps, width or height, a NaN guidance scale. The one way settings
   * get their defaults, in the pipeline and in the jobs.
   */
  public GenerationSettings orDefaults(GenerationSettings defaults) {
    return new GenerationSettings(
        sampler == null || sampler.isBlank() ? defaults.sampler() : sampler,
        steps > 0 ? steps : defaults.steps(),
        Double.isNaN(guidanceScale) ? defaults.guidanceScale() : guidanceScale,
        guidanceRescale,
        width > 0 ? width : defaults.width(),
        height > 0 ? height : defaults.height(),
        samplerOverrides,
        sizeConditioning);
  }

  /** Settings with diffusers' default size conditioning. */
  public GenerationSettings(String sampler, int steps, double guidanceScale, double guidanceRescale, int width,
      int height, Map<String, Object> samplerOverrides) {
    this(sampler, steps, guidanceScale, guidanceRescale, width, height, samplerOverrides, null);
  }
}
