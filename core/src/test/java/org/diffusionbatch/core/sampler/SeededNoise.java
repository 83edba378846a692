package org.diffusionbatch.core.sampler;

import java.util.Random;

/** Deterministic N(0, 1) noise for tests that need noise but not torch's exact stream. */
final class SeededNoise implements NoiseSource {
  private final Random random;
  private int draws;

  SeededNoise(long seed) {
    this.random = new Random(seed);
  }

  @Override
  public void fill(float[] out, LatentShape shape) {
    draws++;
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) random.nextGaussian();
    }
  }

  int draws() {
    return draws;
  }
}
