package org.diffusionbatch.core.sampler;

import java.util.ArrayList;
import java.util.List;
import org.diffusionbatch.core.rng.SeededNoise;
import org.diffusionbatch.core.rng.TorchGenerator;

/**
 * This library's own seeded noise for a reference trajectory, checked draw by draw against what
 * diffusers drew from {@code torch.Generator("cpu").manual_seed(seed)}: the first draw must equal
 * the case's {@code init_noise} and each later one the next {@code step_noise}, value for value.
 * A batch of one uses {@link SeededNoise}, the pipeline's per-row generators; a larger batch one
 * {@link TorchGenerator} over the whole tensor, as the reference drew it.
 */
final class CheckedTorchNoise implements NoiseSource {
  private final NoiseSource generated;
  private final List<float[]> expected = new ArrayList<>();
  private final String caseName;
  private int draws;

  CheckedTorchNoise(ReferenceTrajectory ref) {
    if (ref.shape().batch() == 1) {
      generated = new SeededNoise(ref.seed());
    } else {
      TorchGenerator whole = new TorchGenerator(ref.seed());
      generated = (out, shape) -> whole.randn(out, 0, shape.size());
    }
    expected.add(ref.initNoise());
    expected.addAll(ref.stepNoise());
    this.caseName = ref.name();
  }

  @Override
  public void fill(float[] out, LatentShape shape) {
    if (draws >= expected.size()) {
      throw new AssertionError(caseName + ": the sampler drew noise " + (draws + 1)
          + " times; diffusers drew " + expected.size() + " (init_noise and step_noise)");
    }
    generated.fill(out, shape);
    float[] want = expected.get(draws);
    String what = draws == 0 ? "init_noise" : "step_noise[" + (draws - 1) + "]";
    if (want.length != shape.size()) {
      throw new AssertionError(caseName + ": " + what + " has " + want.length + " values, the draw " + shape.size());
    }
    for (int i = 0; i < want.length; i++) {
      if (out[i] != want[i]) {
        throw new AssertionError(String.format("%s: %s differs from torch's at %d: generated %s, torch %s",
            caseName, what, i, out[i], want[i]));
      }
    }
    draws++;
  }

  /** Draws so far, the initial latents included. */
  int draws() {
    return draws;
  }

  int expectedDraws() {
    return expected.size();
  }
}
