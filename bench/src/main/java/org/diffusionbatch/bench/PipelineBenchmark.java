package org.diffusionbatch.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.pipeline.StageTimings;
import org.diffusionbatch.core.pipeline.TextToImagePipeline;

/**
 * Time per image and its split (text, UNet, sampler, decode, PNG) for a model on this machine.
 * Not JMH: a whole pipeline call is milliseconds to seconds, and the split is what matters.
 *
 * <pre>
 * mvn -B -q -Pbench -pl bench -am -DskipTests package
 * java -cp bench/target/benchmarks.jar org.diffusionbatch.bench.PipelineBenchmark [MODEL_DIR] [BATCH] [STEPS] [ROUNDS] [SAMPLER] [THREADS]
 * </pre>
 *
 * <p>SAMPLER "-" or absent: the model's default. THREADS: ONNX Runtime intra-op threads (0 = its
 * default, all cores; 1 gives steadier numbers on a shared machine, where spinning worker threads
 * compete for cores). The "text" stage is every text encoder of the model (two for SDXL).
 */
public final class PipelineBenchmark {
  private static final String[] PROMPTS = {
    "a red circle", "a blue square", "a green triangle", "a small red square",
    "a big blue circle", "a green circle", "a red triangle", "a blue triangle"
  };

  public static void main(String[] args) {
    Path model = Path.of(args.length > 0 ? args[0] : "models/tiny-sd");
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    String sampler = args.length > 4 && !args[4].equals("-") ? args[4] : null;
    int threads = args.length > 5 ? Integer.parseInt(args[5]) : 0;
    try (TextToImagePipeline pipeline =
        TextToImagePipeline.load(ModelOptions.local(model).withThreads(threads, threads > 0 ? 1 : 0))) {
      GenerationSettings d = pipeline.defaults();
      GenerationSettings settings =
          new GenerationSettings(sampler != null ? sampler : d.sampler(), steps, d.guidanceScale(), 0, d.width(), d.height(), null);
      List<GenerationRequest> rows = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        rows.add(new GenerationRequest(PROMPTS[i % PROMPTS.length], null, 1000 + i));
      }
      for (int i = 0; i < 3; i++) {
        pipeline.generate(settings, rows, true); // warm-up: JIT and ONNX Runtime's first runs
      }
      long[] total = new long[5];
      long[] wall = new long[rounds];
      for (int r = 0; r < rounds; r++) {
        long start = System.nanoTime();
        List<GenerationResult> results = pipeline.generate(settings, rows, true);
        wall[r] = System.nanoTime() - start;
        StageTimings t = results.get(0).image().timings();
        long png = 0;
        for (GenerationResult result : results) {
          png += result.image().timings().pngNanos();
        }
        total[0] += t.textNanos();
        total[1] += t.unetNanos();
        total[2] += t.samplerNanos();
        total[3] += t.decodeNanos();
        total[4] += png;
      }
      Arrays.sort(wall);
      double images = (double) rounds * batch;
      System.out.printf(
          "model %s, %dx%d, sampler %s, %d steps, guidance %.1f, batch %d, %d rounds, intra-op threads %s%n",
          model, settings.width(), settings.height(), settings.sampler(), steps, settings.guidanceScale(), batch, rounds,
          threads == 0 ? "default" : threads);
      System.out.printf("median batch %.1f ms; per image %.2f ms; %.1f images/s%n",
          wall[rounds / 2] / 1e6, wall[rounds / 2] / 1e6 / batch, batch / (wall[rounds / 2] / 1e9));
      String[] names = {"text", "unet", "sampler", "decode", "png"};
      for (int i = 0; i < names.length; i++) {
        System.out.printf("  %-8s %8.3f ms per image%n", names[i], total[i] / 1e6 / images);
      }
    }
  }
}
