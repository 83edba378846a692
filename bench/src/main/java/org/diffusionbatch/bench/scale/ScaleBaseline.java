package org.diffusionbatch.bench.scale;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.pipeline.TextToImagePipeline;
import org.diffusionbatch.jobs.prompts.StableIds;

/**
 * The single-process rate bench/scale/run.sh compares the job with: the same prompts, ids and
 * seeds as the job derives, through one TextToImagePipeline in a plain loop with the same batch
 * size, PNGs included (the pipeline encodes them). Prints one JSON line. Runs on the bench jar with the jobs
 * classpath (for the job's prompt ids and seeds): see bench/scale/run.sh.
 *
 * <p>Arguments: PROMPTS_TXT MODEL_DIR STEPS BATCH_SIZE [INTRA_OP_THREADS [LOOPS]]. LOOPS &gt; 1 runs that many
 * loops on threads sharing the one pipeline, each over its share of the prompts: the fair comparison
 * for a job whose executor runs as many tasks at once.
 */
public final class ScaleBaseline {
  private ScaleBaseline() {}

  public static void main(String[] args) throws Exception {
    Path prompts = Path.of(args[0]);
    int steps = Integer.parseInt(args[2]);
    int batchSize = Integer.parseInt(args[3]);
    int threads = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    int loops = args.length > 5 ? Integer.parseInt(args[5]) : 1;
    List<String> lines = Files.readAllLines(prompts);
    List<GenerationRequest> requests = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        String id = StableIds.promptId(prompts.getFileName().toString(), i, lines.get(i));
        requests.add(new GenerationRequest(lines.get(i), "", StableIds.seed(0, id)));
      }
    }
    try (TextToImagePipeline pipeline = TextToImagePipeline.load(ModelOptions.of(args[1]).withThreads(threads, 0))) {
      GenerationSettings settings = pipeline.withDefaults(new GenerationSettings(null, steps, Double.NaN, 0, 0, 0, null));
      long start = System.nanoTime();
      java.util.concurrent.atomic.AtomicLong made = new java.util.concurrent.atomic.AtomicLong();
      List<Thread> workers = new ArrayList<>();
      int share = (requests.size() + loops - 1) / loops;
      for (int loop = 0; loop < loops; loop++) {
        List<GenerationRequest> mine = requests.subList(Math.min(loop * share, requests.size()), Math.min((loop + 1) * share, requests.size()));
        Thread worker = new Thread(() -> {
          for (int from = 0; from < mine.size(); from += batchSize) {
            for (GenerationResult result : pipeline.generate(settings, mine.subList(from, Math.min(from + batchSize, mine.size())), true)) {
              made.addAndGet(result.ok() ? 1 : 0);
            }
          }
        });
        worker.start();
        workers.add(worker);
      }
      for (Thread worker : workers) {
        worker.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("{\"images\": %d, \"seconds\": %.3f, \"images_per_second\": %.4f, \"loops\": %d}%n",
          made.get(), seconds, made.get() / seconds, loops);
    }
  }
}
