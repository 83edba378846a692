package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Exact samples of the bundled tiny models' data distribution (models/tiny-reference). */
class LatentMixtureTest {
  private final LatentMixture mixture = LatentMixture.read(TinyMetricModels.model("tiny-reference"));

  @Test
  void readsTheTinyModelsMixture() {
    assertEquals(12, mixture.names().size());
    assertEquals("yellow triangle", mixture.names().get(11));
    assertEquals(1 / 12.0, mixture.weights()[5], 1e-15);
    assertEquals(0.025, mixture.componentStd(), 0);
    assertEquals(0.18215, mixture.scalingFactor(), 0);
    assertEquals(1024, mixture.means()[0].length);
  }

  /**
   * Expected values from Python: the component from java.util.SplittableRandom's published
   * algorithm (mix64 of seed + golden gamma), z from {@code torch.randn(4, 16, 16,
   * generator=torch.Generator().manual_seed(seed))}, x = mu_k + 0.025 z in float64 then float32.
   */
  @Test
  void sampleIsTheSeedsComponentPlusTorchNoise() {
    check(0, 10, 0.3816579282283783f, -0.04276170954108238f);
    check(1, 6, 0.37166401743888855f, 0.02640381082892418f);
    check(12345, 1, 0.3728087246417999f, 0.030368397012352943f);
  }

  private void check(long seed, int component, float first, float last) {
    LatentMixture.Sample s = mixture.sample(seed);
    assertEquals(component, s.component(), "component of seed " + seed);
    assertEquals(first, s.latent()[0], 0f, "x[0] of seed " + seed);
    assertEquals(last, s.latent()[1023], 0f, "x[1023] of seed " + seed);
  }
}
