package org.diffusionbatch.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.pipeline.GeneratedImage;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.pipeline.StageTimings;
import org.diffusionbatch.core.pipeline.TextToImagePipeline;
import org.diffusionbatch.core.storage.S3Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** One prompt to one PNG on this machine, no Spark. */
@Command(
    name = "txt2img",
    mixinStandardHelpOptions = true,
    description = "Make one image from a prompt on this machine (no Spark).")
public final class Txt2ImgCommand implements Callable<Integer> {

  @Option(names = "--prompt", required = true, description = "The prompt.")
  String prompt;

  @Option(names = "--output", required = true, description = "The PNG file to write.")
  Path output;

  @Option(names = "--model", description = "Model folder or s3://bucket/prefix/ (default: the bundled tiny model).")
  String model;

  @Option(names = "--negative-prompt", defaultValue = "", description = "Negative prompt (default: none).")
  String negativePrompt;

  @Option(names = "--sampler", description = "Sampler name: dpmpp-2m, dpmpp-2m-karras, dpmpp-3m, dpm-2s, lcm, ddim, euler, euler-a, ddpm (default: the model's).")
  String sampler;

  @Option(names = "--steps", defaultValue = "0", description = "Denoising steps (default: 20, or 4 for LCM).")
  int steps;

  @Option(names = "--guidance", description = "Classifier-free guidance scale; 1 or less turns it off (default: 7.5, or 8.5 for LCM).")
  Double guidance;

  @Option(names = "--guidance-rescale", defaultValue = "0", description = "diffusers' guidance_rescale, 0 to 1 (default: 0).")
  double guidanceRescale;

  @Option(names = "--seed", defaultValue = "0", description = "Seed; the same as diffusers' torch.Generator(\"cpu\").manual_seed(SEED) (default: 0).")
  long seed;

  @Option(names = "--width", defaultValue = "0", description = "Width in pixels, a multiple of 8 (default: the model's).")
  int width;

  @Option(names = "--height", defaultValue = "0", description = "Height in pixels, a multiple of 8 (default: the model's).")
  int height;

  @Option(names = "--sampler-option", description = "A diffusers scheduler_config key=value override, repeatable (e.g. use_karras_sigmas=true).")
  List<String> samplerOptions = List.of();

  @Option(names = "--gpu", description = "GPU index to run on (CUDA execution provider); default: CPU.")
  Integer gpu;

  @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (default: its own choice).")
  int threads;

  @Option(names = {"--s3-endpoint"}, description = "S3 endpoint for an S3-compatible store.")
  String s3Endpoint;

  @Option(names = {"--s3-region"}, description = "S3 region.")
  String s3Region;

  @Option(names = {"--s3-path-style"}, description = "Path-style S3 access.")
  boolean s3PathStyle;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> overrides = SamplerOptions.parse(samplerOptions);
    String modelUri = model != null ? model : BundledModel.defaultUri();
    ModelOptions options =
        new ModelOptions(modelUri, gpu, threads, 0, null, null, new S3Settings(s3Endpoint, s3Region, s3PathStyle));
    try (TextToImagePipeline pipeline = TextToImagePipeline.load(options)) {
      GenerationSettings settings =
          pipeline.withDefaults(
              new GenerationSettings(
                  sampler, steps, guidance == null ? Double.NaN : guidance, guidanceRescale, width, height, overrides));
      pipeline.validate(settings);
      GenerationResult result =
          pipeline.generate(settings, List.of(new GenerationRequest(prompt, negativePrompt, seed)), true).get(0);
      if (!result.ok()) {
        System.err.println("txt2img: no image: " + result.failedStage() + " failed: " + result.error());
        return 1;
      }
      GeneratedImage image = result.image();
      Path parent = output.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(output, image.png());
      StageTimings t = image.timings();
      System.out.printf(
          "wrote %s (%dx%d, %s, %d steps, guidance %s, seed %d) text %.1f ms, unet %.1f ms, sampler %.1f ms, decode %.1f ms, png %.1f ms%n",
          output, image.width(), image.height(), settings.sampler(), settings.steps(), settings.guidanceScale(), seed,
          t.textNanos() / 1e6, t.unetNanos() / 1e6, t.samplerNanos() / 1e6, t.decodeNanos() / 1e6, t.pngNanos() / 1e6);
      return 0;
    }
  }
}
