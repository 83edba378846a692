package org.diffusionbatch.core.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sampling loop's checks. */
class SamplingTest {
  private static final LatentShape SHAPE = new LatentShape(3, 2, 2, 2);

  @Test
  void nonFiniteModelOutputIsReportedWithTheStepAndTheRowsAffected() {
    SamplerRun run = Samplers.create("euler", SamplerMathTest.SD, Map.of()).plan(10, SHAPE);
    float[] x = Sampling.initialLatents(run, new SeededNoise(1));
    Denoiser breaksAtStep4 = (in, k, t, out) -> {
      Arrays.fill(out, 0.1f);
      if (k == 4) {
        out[SHAPE.rowSize() + 3] = Float.NaN; // row 1
        out[2 * SHAPE.rowSize()] = Float.POSITIVE_INFINITY; // row 2
      }
    };
    NonFiniteOutputException e = assertThrows(NonFiniteOutputException.class,
        () -> Sampling.run(run, x, breaksAtStep4, new SeededNoise(2)));
    assertEquals(4, e.step());
    assertArrayEquals(new int[] {1, 2}, e.rows());
    assertEquals(run.timestep(4), e.timestep());
    assertTrue(e.getMessage().contains("step 4"), e.getMessage());
  }

  @Test
  void initialLatentsAreNoiseTimesInitNoiseSigma() {
    SamplerRun run = Samplers.create("euler", SamplerMathTest.SD, Map.of("timestep_spacing", "leading")).plan(30, SHAPE);
    float[] noise = new float[SHAPE.size()];
    new SeededNoise(3).fill(noise, SHAPE);
    float[] x = Sampling.initialLatents(run, new SeededNoise(3));
    for (int i = 0; i < x.length; i++) {
      assertEquals(noise[i] * (float) run.initNoiseSigma(), x[i]);
    }
    assertEquals(11.520333290100098, run.initNoiseSigma(), 1e-6, "SD leading Euler, as diffusers");
  }

  @Test
  void stepsTakenOutOfOrderAreRejected() {
    SamplerRun run = Samplers.create("dpmpp-2m", SamplerMathTest.SD, Map.of()).plan(5, SHAPE);
    float[] x = new float[SHAPE.size()];
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> run.step(1, new float[SHAPE.size()], x, (o, s) -> { }));
    assertTrue(e.getMessage().contains("expects step 0"), e.getMessage());
  }

  @Test
  void wrongSizedBuffersAreRejectedNamingTheShape() {
    SamplerRun run = Samplers.create("ddim", SamplerMathTest.SD, Map.of()).plan(5, SHAPE);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> run.step(0, new float[3], new float[SHAPE.size()], (o, s) -> { }));
    assertTrue(e.getMessage().contains("[3, 2, 2, 2]"), e.getMessage());
  }
}
