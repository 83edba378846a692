package org.diffusionbatch.core.sampler;

import java.util.List;

/** Noise replayed from a reference file, one recorded tensor per draw, in order. */
final class ReplayedNoise implements NoiseSource {
  private final List<float[]> draws;
  private int next;

  ReplayedNoise(List<float[]> draws) {
    this.draws = draws;
  }

  @Override
  public void fill(float[] out, LatentShape shape) {
    if (next >= draws.size()) {
      throw new AssertionError(
          "sampler drew noise " + (next + 1) + " times; the reference recorded " + draws.size());
    }
    float[] d = draws.get(next++);
    if (d.length != out.length) {
      throw new AssertionError("noise draw " + next + " has " + d.length + " values, wanted " + out.length);
    }
    System.arraycopy(d, 0, out, 0, d.length);
  }

  int used() {
    return next;
  }
}
