package org.diffusionbatch.bench.sim;

import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.diffusionbatch.core.model.TextEmbeddings;
import org.diffusionbatch.core.model.TextEncoder;

/**
 * A float16 CLIP text encoder on the simulated device: token ids widened to int64 (core's
 * OnnxTextEncoder feeds int64), the device time of the profile, and per row a [77, D] embedding
 * from a fixed pool (picked by the row's tokens, so a prompt always gets the same one) copied and
 * widened to float32.
 */
final class SimulatedTextEncoder implements TextEncoder {
  private static final int POOL_ROWS = 16;
  private static final int TOKENS = 77;

  private final SimulatedGraph graph;
  private final int hiddenSize;
  private final ShortBuffer pool;

  SimulatedTextEncoder(SimulatedDevice device, int hiddenSize) {
    this.graph = new SimulatedGraph(device, SimulatedDevice.Graph.TEXT_ENCODER);
    this.hiddenSize = hiddenSize;
    SplittableRandom random = new SplittableRandom(hiddenSize);
    float[] values = new float[POOL_ROWS * TOKENS * hiddenSize];
    for (int i = 0; i < values.length; i++) {
      // CLIP's last hidden states are mostly within a few units of zero.
      values[i] = (float) (random.nextDouble() * 2 - 1);
    }
    this.pool = HostTransfers.halvesOf(values);
  }

  @Override
  public TextEmbeddings encode(int[][] ids) {
    if (ids.length == 0) {
      throw new IllegalArgumentException("text encoder called with no token rows");
    }
    int[] pick = new int[ids.length];
    for (int r = 0; r < ids.length; r++) {
      if (ids[r].length != TOKENS) {
        throw new IllegalArgumentException("token row " + r + " has " + ids[r].length + " ids, not " + TOKENS);
      }
      pick[r] = Math.floorMod(Arrays.hashCode(ids[r]), POOL_ROWS);
    }
    long[] flat = new long[ids.length * TOKENS];
    float[] tokens = graph.call(ids.length, false, () -> {
      for (int r = 0; r < ids.length; r++) {
        for (int i = 0; i < TOKENS; i++) {
          flat[r * TOKENS + i] = ids[r][i];
        }
      }
    }, () -> HostTransfers.outputRows(pool, TOKENS * hiddenSize, pick));
    return new TextEmbeddings(tokens, null);
  }
}
