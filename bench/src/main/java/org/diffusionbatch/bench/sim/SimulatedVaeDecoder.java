package org.diffusionbatch.bench.sim;

import java.nio.ShortBuffer;
import org.diffusionbatch.core.model.VaeDecoder;
import org.diffusionbatch.core.sampler.LatentShape;

/**
 * A float16 VAE decoder on the simulated device: latents to float16 (core's OnnxVaeDecoder), the
 * device time of the profile for the batch, and per row one of the {@link SimulatedPictures}
 * (picked by the row's latents, so a row always decodes to the same picture) copied out of the
 * "device" and widened to float32 [3, H, W] in [-1, 1].
 */
final class SimulatedVaeDecoder implements VaeDecoder {
  private static final int SCALE = 8;

  private final SimulatedGraph graph;
  private final SimulatedPictures pictures;
  private final ShortBuffer planes;

  SimulatedVaeDecoder(SimulatedDevice device, SimulatedPictures pictures) {
    this.graph = new SimulatedGraph(device, SimulatedDevice.Graph.VAE_DECODER);
    this.pictures = pictures;
    int values = 3 * pictures.width() * pictures.height();
    float[] all = new float[pictures.count() * values];
    for (int i = 0; i < pictures.count(); i++) {
      System.arraycopy(pictures.chw(i), 0, all, i * values, values);
    }
    this.planes = HostTransfers.halvesOf(all);
  }

  @Override
  public float[] decode(float[] latents, LatentShape shape) {
    if (latents.length != shape.size()) {
      throw new IllegalArgumentException("latents have " + latents.length + " values but shape " + shape + " needs " + shape.size());
    }
    if (shape.height() * SCALE != pictures.height() || shape.width() * SCALE != pictures.width()) {
      throw new IllegalArgumentException("the simulated decoder makes " + pictures.width() + "x" + pictures.height()
          + " pictures; latents " + shape + " would decode to " + shape.width() * SCALE + "x" + shape.height() * SCALE);
    }
    int batch = shape.batch();
    int rowLatents = shape.size() / batch;
    int[] pick = new int[batch];
    for (int r = 0; r < batch; r++) {
      int hash = 1;
      for (int i = 0; i < 64; i++) {
        hash = 31 * hash + Float.floatToIntBits(latents[r * rowLatents + i]);
      }
      pick[r] = Math.floorMod(hash, pictures.count());
    }
    return graph.call(batch, false, () -> HostTransfers.toHalves(latents, null),
        () -> HostTransfers.outputRows(planes, 3 * pictures.width() * pictures.height(), pick));
  }
}
