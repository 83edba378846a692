package org.diffusionbatch.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.diffusionbatch.core.sampler.LatentShape;
import org.junit.jupiter.api.Test;

/** One model shared by several threads, as Spark tasks in one executor share it. */
class ConcurrentCallsTest {
  @Test
  void concurrentUnetCallsGiveTheSameResultsAsSequentialOnes() throws Exception {
    concurrentCallsMatchSequentialOnes(TinyModels.options("tiny-sd"));
  }

  @Test
  void withOneRunPerGraphConcurrentCallsQueueAndStillGiveTheSameResults() throws Exception {
    concurrentCallsMatchSequentialOnes(TinyModels.options("tiny-sd").withRunsPerGraph(1));
  }

  private static void concurrentCallsMatchSequentialOnes(ModelOptions options) throws Exception {
    LatentShape shape = new LatentShape(1, 4, 16, 16);
    try (DiffusionModel model = DiffusionModel.load(options)) {
      int[][] ids = new int[1][77];
      Arrays.fill(ids[0], 744);
      ids[0][0] = 743;
      ids[0][1] = 513;
      float[] hidden = model.textEncoder().encode(ids).tokens();
      int calls = 24;
      float[][] expected = new float[calls][];
      float[][] latents = new float[calls][];
      for (int i = 0; i < calls; i++) {
        latents[i] = new float[shape.size()];
        Arrays.fill(latents[i], (i - calls / 2) * 0.05f);
        expected[i] = model.unet().predict(latents[i], shape, 50 + 40 * i, UNetConditioning.of(hidden));
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Callable<float[]>> tasks = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
          int n = i;
          tasks.add(() -> model.unet().predict(latents[n], shape, 50 + 40 * n, UNetConditioning.of(hidden)));
        }
        List<Future<float[]>> results = pool.invokeAll(tasks);
        for (int i = 0; i < calls; i++) {
          assertArrayEquals(expected[i], results.get(i).get(), "call " + i);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
