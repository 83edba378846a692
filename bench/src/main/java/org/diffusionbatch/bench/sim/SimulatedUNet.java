package org.diffusionbatch.bench.sim;

import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.diffusionbatch.core.model.UNet;
import org.diffusionbatch.core.model.UNetConditioning;
import org.diffusionbatch.core.sampler.LatentShape;

/**
 * A float16 UNet on the simulated device: the host work of core's OnnxUNet (latents and LCM's
 * guidance embedding to float16 every call, the text embeddings to float16 once per batch per
 * thread, the output copied and widened), the device time of the profile for the call's rows, and
 * as output a noise prediction drawn from a fixed pool of standard normal rows (what an epsilon
 * model returns), different rows on successive calls.
 */
final class SimulatedUNet implements UNet {
  private static final int POOL_ROWS = 64;

  private final SimulatedGraph graph;
  private final int hiddenSize;
  private final int timeCondDim;
  private final Map<Integer, ShortBuffer> pools = new ConcurrentHashMap<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final ThreadLocal<HalfCache> hiddenHalves = ThreadLocal.withInitial(HalfCache::new);

  /** OnnxUNet's per-thread cache of the batch's text embeddings in float16: converted when they change. */
  private static final class HalfCache {
    float[] values;
    ByteBuffer halves;

    void halvesOf(float[] embeddings) {
      if (values == null || !Arrays.equals(values, embeddings)) {
        halves = HostTransfers.toHalves(embeddings, halves);
        values = embeddings.clone();
      }
    }
  }

  SimulatedUNet(SimulatedDevice device, int hiddenSize, int timeCondDim) {
    this.graph = new SimulatedGraph(device, SimulatedDevice.Graph.UNET);
    this.hiddenSize = hiddenSize;
    this.timeCondDim = timeCondDim;
  }

  @Override
  public float[] predict(float[] sample, LatentShape shape, double timestep, UNetConditioning conditioning) {
    int batch = shape.batch();
    if (sample.length != shape.size()) {
      throw new IllegalArgumentException("sample has " + sample.length + " values but shape " + shape + " needs " + shape.size());
    }
    float[] hidden = conditioning.encoderHiddenStates();
    if (hidden.length != (long) batch * 77 * hiddenSize) {
      throw new IllegalArgumentException("encoder_hidden_states has " + hidden.length + " values, not " + batch + " x 77 x " + hiddenSize);
    }
    float[] cond = conditioning.timestepCond();
    if ((timeCondDim > 0) != (cond != null) || (cond != null && cond.length != batch * timeCondDim)) {
      throw new IllegalArgumentException("this simulated UNet takes timestep_cond [" + batch + ", " + timeCondDim + "], got "
          + (cond == null ? "none" : cond.length + " values"));
    }
    int rowValues = shape.size() / batch;
    ShortBuffer pool = pools.computeIfAbsent(rowValues, SimulatedUNet::noisePool);
    int first = calls.getAndIncrement();
    int[] pick = new int[batch];
    for (int r = 0; r < batch; r++) {
      pick[r] = Math.floorMod(first * 7 + r, POOL_ROWS);
    }
    return graph.call(batch, cond != null, () -> {
      HostTransfers.toHalves(sample, null);
      hiddenHalves.get().halvesOf(hidden);
      if (cond != null) {
        HostTransfers.toHalves(cond, null);
      }
    }, () -> HostTransfers.outputRows(pool, rowValues, pick));
  }

  private static ShortBuffer noisePool(int rowValues) {
    SplittableRandom random = new SplittableRandom(rowValues);
    float[] values = new float[POOL_ROWS * rowValues];
    for (int i = 0; i < values.length; i += 2) {
      double u1 = Math.max(random.nextDouble(), 1e-12);
      double r = Math.sqrt(-2 * Math.log(u1));
      double angle = 2 * Math.PI * random.nextDouble();
      values[i] = (float) (r * Math.cos(angle));
      if (i + 1 < values.length) {
        values[i + 1] = (float) (r * Math.sin(angle));
      }
    }
    return HostTransfers.halvesOf(values);
  }
}
