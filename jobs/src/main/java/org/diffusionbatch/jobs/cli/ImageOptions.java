package org.diffusionbatch.jobs.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.diffusionbatch.core.sampler.SamplerName;
import picocli.CommandLine.Option;

/**
 * What every image-making command shares: the model and the settings of one image (sampler,
 * steps, guidance, size, negative prompt). Unset values are null: the model decides them.
 */
public final class ImageOptions {

  @Option(names = "--model", paramLabel = "URI", description = "Model: local dir or s3://bucket/prefix/ (default: the bundled models/tiny-sd).")
  String model;

  @Option(names = "--sampler", paramLabel = "NAME", description = "Sampler: dpmpp-2m, dpmpp-2m-karras, dpmpp-3m, dpmpp-3m-karras, dpmpp-2m-sde, dpmpp-2m-sde-karras, dpm-2s, lcm, ddim, euler, euler-a, ddpm, optionally with scheduler_config keys: NAME:KEY=VALUE,... (default: the model's own scheduler with all its settings, named that way, e.g. dpmpp-3m-karras; dpmpp-2m where its class is not implemented, e.g. PNDM).")
  String sampler;

  @Option(names = "--steps", paramLabel = "N", description = "Denoising steps (default 20; 4 for LCM models; 1 for SD-/SDXL-Turbo).")
  Integer steps;

  @Option(names = "--guidance", paramLabel = "W", description = "Classifier-free guidance scale; 1 or less turns it off (default 7.5; SDXL 5; LCM 8.5, LCM-SDXL 8; SD-/SDXL-Turbo 0).")
  Double guidance;

  @Option(names = "--guidance-rescale", paramLabel = "R", defaultValue = "0", description = "diffusers' guidance_rescale, 0 to 1 (default 0).")
  double guidanceRescale;

  @Option(names = "--width", paramLabel = "W", description = "Image width in pixels, a multiple of 8 (default: the model's sample_size x 8).")
  Integer width;

  @Option(names = "--height", paramLabel = "H", description = "Image height in pixels, a multiple of 8 (default: the model's sample_size x 8).")
  Integer height;

  @Option(names = "--negative-prompt", paramLabel = "TEXT", description = "Negative prompt (default: none, which SDXL turns into zero embeddings as diffusers does; \"\" is encoded as text).")
  String negativePrompt;

  @Option(names = "--sampler-option", paramLabel = "KEY=VALUE", description = "diffusers scheduler_config key (repeatable), e.g. use_karras_sigmas=true.")
  Map<String, String> samplerOptions = new LinkedHashMap<>();

  /** The --model given, else the bundled tiny model's folder. */
  public String modelOrBundled() {
    return model != null ? model : BundledModel.path().toString();
  }

  public String model() {
    return model;
  }

  public String sampler() {
    return sampler;
  }

  public Integer steps() {
    return steps;
  }

  public Double guidance() {
    return guidance;
  }

  public double guidanceRescale() {
    return guidanceRescale;
  }

  public Integer width() {
    return width;
  }

  public Integer height() {
    return height;
  }

  public String negativePrompt() {
    return negativePrompt;
  }

  /**
   * --sampler-option values typed the way scheduler_config.json holds them, as sampler name
   * options are ({@link SamplerName#parseValue}).
   */
  public Map<String, Object> samplerOverrides() {
    Map<String, Object> typed = new LinkedHashMap<>();
    samplerOptions.forEach((key, value) -> {
      if (key.isBlank()) {
        throw new IllegalArgumentException(
            "--sampler-option =" + value + " has no key; write KEY=VALUE, e.g. use_karras_sigmas=true");
      }
      typed.put(key.trim(), SamplerName.parseValue(value.trim()));
    });
    return typed;
  }
}
