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

  /** Options first, then the model's defaults. */
  public static RunSettings resolve(GenerateOptions options, GenerationSettings modelDefaults) {
    return new RunSettings(
        options.sampler() != null ? options.sampler() : modelDefaults.sampler(),
        options.steps() != null ? options.steps() : modelDefaults.steps(),
        options.guidance() != null ? options.guidance() : modelDefaults.guidanceScale(),
        options.guidanceRescale(),
        options.width() != null ? options.width() : modelDefaults.width(),
        options.height() != null ? options.height() : modelDefaults.height(),
        options.samplerOptions(),
        options.negativePrompt(),
        options.seed());
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
