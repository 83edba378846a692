package org.diffusionbatch.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.pipeline.GeneratedImage;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.pipeline.SizeConditioning;
import org.diffusionbatch.core.pipeline.StageTimings;
import org.diffusionbatch.core.pipeline.TextToImagePipeline;
import org.diffusionbatch.core.sampler.SamplerName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  @Mixin ImageOptions image = new ImageOptions();

  @Option(names = "--seed", defaultValue = "0", description = "Seed; the same as diffusers' torch.Generator(\"cpu\").manual_seed(SEED) (default: 0).")
  long seed;

  @Option(names = "--gpu", description = "GPU index to run on (CUDA execution provider); default: CPU.")
  Integer gpu;

  @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (default: its own choice).")
  int threads;

  @Option(names = "--size-conditioning", paramLabel = "KEY=H,W", description = "SDXL micro-conditioning (repeatable): original_size, crops_coords_top_left, target_size and their negative_ forms, e.g. original_size=512,512 (default: the image's size, crop 0,0, as diffusers).")
  Map<String, String> sizeConditioning = new LinkedHashMap<>();

  @Mixin S3Options s3 = new S3Options();

  @Override
  public Integer call() throws Exception {
    image.validate();
    String modelUri = image.model() != null ? image.model() : BundledModel.defaultUri();
    ModelOptions options = new ModelOptions(modelUri, gpu, threads, 0, null, null, s3.settings(), 0);
    try (TextToImagePipeline pipeline = TextToImagePipeline.load(options)) {
      GenerationSettings settings =
          pipeline.withDefaults(
              new GenerationSettings(
                  image.sampler(),
                  orZero(image.steps()),
                  image.guidance() == null ? Double.NaN : image.guidance(),
                  image.guidanceRescale(),
                  orZero(image.width()),
                  orZero(image.height()),
                  image.samplerOverrides(),
                  SizeConditioning.parse(sizeConditioning)));
      pipeline.validate(settings);
      GenerationResult result =
          pipeline.generate(settings, List.of(new GenerationRequest(prompt, image.negativePrompt(), seed)), true).get(0);
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
          output, image.width(), image.height(),
          SamplerName.parse(settings.sampler()).withOptions(settings.samplerOverrides()), // names what ran
          settings.steps(), settings.guidanceScale(), seed,
          t.textNanos() / 1e6, t.unetNanos() / 1e6, t.samplerNanos() / 1e6, t.decodeNanos() / 1e6, t.pngNanos() / 1e6);
      return 0;
    }
  }

  /** Unset (null) means "the model's default", which GenerationSettings spells as 0. */
  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
