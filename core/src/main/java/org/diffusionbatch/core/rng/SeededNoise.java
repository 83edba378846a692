package org.diffusionbatch.core.rng;

import java.util.Arrays;
import org.diffusionbatch.core.sampler.LatentShape;
import org.diffusionbatch.core.sampler.NoiseSource;

/**
 * Batch noise with one {@link TorchGenerator} per batch row, as diffusers draws it when given a
 * list of generators ({@code randn_tensor} draws row r as a [1, C, H, W] tensor from generator r).
 * Row r's noise therefore depends only on seed r, never on its batch neighbours. Each {@link #fill}
 * continues every row's stream, so a sampler's per-step noise follows the initial latents exactly
 * as in diffusers.
 *
 * <p>Not thread-safe: one instance serves one batch on one thread.
 */
public final class SeededNoise implements NoiseSource {
  private final TorchGenerator[] rows;

  /** One generator per batch row, seeded like {@code torch.Generator("cpu").manual_seed(seed)}. */
  public SeededNoise(long... seeds) {
    if (seeds.length == 0) {
      throw new IllegalArgumentException("SeededNoise needs one seed per batch row, got none");
    }
    rows = new TorchGenerator[seeds.length];
    for (int r = 0; r < seeds.length; r++) {
      rows[r] = new TorchGenerator(seeds[r]);
    }
  }

  @Override
  public void fill(float[] out, LatentShape shape) {
    if (shape.batch() != rows.length) {
      throw new IllegalArgumentException("noise shape " + shape + " has batch " + shape.batch()
          + " but this SeededNoise holds " + rows.length + " seeds " + Arrays.toString(seeds())
          + "; build it with one seed per batch row");
    }
    if (out.length < shape.size()) {
      throw new IllegalArgumentException("noise buffer holds " + out.length + " floats, shape " + shape + " needs " + shape.size());
    }
    int rowSize = shape.rowSize();
    for (int r = 0; r < rows.length; r++) {
      rows[r].randn(out, r * rowSize, rowSize);
    }
  }

  private long[] seeds() {
    return Arrays.stream(rows).mapToLong(TorchGenerator::seed).toArray();
  }
}
