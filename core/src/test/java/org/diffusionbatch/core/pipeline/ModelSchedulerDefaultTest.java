package org.diffusionbatch.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.diffusionbatch.core.model.ModelOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model that ships its own DPM-Solver++ scheduler config (third order, Karras sigmas) gets that
 * scheduler by default, under a name that, given to the plain model, makes the same image.
 */
class ModelSchedulerDefaultTest {
  private static final Path TINY_SD =
      Path.of(System.getProperty("repo.root", ".")).resolve("models").resolve("tiny-sd");
  private static final String KARRAS_3M_CONFIG = "{\"_class_name\": \"DPMSolverMultistepScheduler\","
      + " \"_diffusers_version\": \"0.30.0\", \"algorithm_type\": \"dpmsolver++\", \"beta_end\": 0.012,"
      + " \"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085, \"num_train_timesteps\": 1000,"
      + " \"prediction_type\": \"epsilon\", \"solver_order\": 3, \"steps_offset\": 1,"
      + " \"timestep_spacing\": \"leading\", \"trained_betas\": null, \"use_karras_sigmas\": true}";

  @Test
  void karrasThirdOrderConfigIsTheDefaultAndItsNameReproducesTheImageOnThePlainModel(@TempDir Path dir)
      throws IOException {
    Path model = copyOf(TINY_SD, dir.resolve("tiny-sd-karras-3m"));
    Files.writeString(model.resolve("scheduler/scheduler_config.json"), KARRAS_3M_CONFIG);
    byte[] byDefault;
    try (TextToImagePipeline own = TextToImagePipeline.load(ModelOptions.local(model))) {
      GenerationSettings d = own.withDefaults(new GenerationSettings(null, 12, Double.NaN, 0, 0, 0, null));
      assertEquals("dpmpp-3m-karras", d.sampler());
      byDefault = png(own, d);
    }
    try (TextToImagePipeline plain = TextToImagePipeline.load(ModelOptions.local(TINY_SD))) {
      GenerationSettings d = plain.defaults();
      assertEquals("dpmpp-2m", d.sampler(), "tiny-sd ships PNDM: the documented fallback");
      GenerationSettings named = new GenerationSettings("dpmpp-3m-karras", 12, 7.5, 0, d.width(), d.height(), null);
      assertArrayEquals(byDefault, png(plain, named), "the default's name makes the same image");
      GenerationSettings secondOrder = new GenerationSettings("dpmpp-2m", 12, 7.5, 0, d.width(), d.height(), null);
      assertFalse(Arrays.equals(byDefault, png(plain, secondOrder)), "the config's algorithm keys matter");
    }
  }

  private static byte[] png(TextToImagePipeline p, GenerationSettings s) {
    GenerationResult r = p.generate(s, List.of(new GenerationRequest("a red circle", "", 7)), true).get(0);
    assertTrue(r.ok(), () -> "generation failed: " + r.failedStage() + ": " + r.error());
    return r.image().png();
  }

  private static Path copyOf(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    return to;
  }
}
