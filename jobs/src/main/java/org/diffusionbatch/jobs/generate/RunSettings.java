package org.diffusionbatch.jobs.generate;

import java.io.Serializable;
import java.util.Map;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.sampler.SamplerName;

/**
 * The run's settings after the model's defaults filled what the command line left out; a row's
 * own columns override sampler, steps, guidance and size. Serializable, unlike core's record, so
 * it travels to executors.
 */
public record RunSettings(
    String sampler, int steps, double guidanceScale, double guidanceRescale, int width, int height,
    Map<String, Object> samplerOverrides, String negativePrompt, long baseSeed)
    implements Serializable {

  public RunSettings {
    samplerOverrides = Map.copyOf(samplerOverrides);
  }

  /** Options first, then the model's defaults ({@link GenerationSettings#orDefaults}). */
  public static RunSettings resolve(GenerateOptions options, GenerationSettings modelDefaults) {
    GenerationSettings s = new GenerationSettings(options.sampler(), unsetIfNull(options.steps()),
        options.guidance() != null ? options.guidance() : Double.NaN, options.guidanceRescale(),
        unsetIfNull(options.width()), unsetIfNull(options.height()), null).orDefaults(modelDefaults);
    return new RunSettings(s.sampler(), s.steps(), s.guidanceScale(), s.guidanceRescale(), s.width(), s.height(),
        options.samplerOptions(), options.negativePrompt(), options.seed());
  }

  private static int unsetIfNull(Integer value) {
    return value != null ? value : 0;
  }

  public GenerationSettings toGenerationSettings() {
    return with(sampler, steps, guidanceScale, width, height);
  }

  public GenerationSettings with(String rowSampler, int rowSteps, double rowGuidance, int rowWidth, int rowHeight) {
    // the sampler options join the name, so a row's sampler column alone makes its image again
    String sampler = samplerOverrides.isEmpty() ? rowSampler
        : SamplerName.parse(rowSampler).withOptions(samplerOverrides).toString();
    return new GenerationSettings(sampler, rowSteps, rowGuidance, guidanceRescale, rowWidth, rowHeight, samplerOverrides);
  }
}
