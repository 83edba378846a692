package org.diffusionbatch.bench.sim;

import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/**
 * The host-side work of one graph call on a float16 model, as core's ONNX path does it
 * ({@code Tensors}): float32 inputs converted to float16 into a direct buffer ONNX Runtime reads,
 * and a float16 output copied out of the runtime's tensor and widened to float32. The simulated
 * device does this real work around its simulated time, so the CPU cost of a call is the real one.
 */
final class HostTransfers {
  private HostTransfers() {}

  /** Floats to float16 in a direct native-order buffer (reusing {@code reuse} when it fits), as core's Tensors.toHalves. */
  static ByteBuffer toHalves(float[] data, ByteBuffer reuse) {
    ByteBuffer buffer = reuse != null && reuse.capacity() == data.length * 2
        ? reuse : ByteBuffer.allocateDirect(data.length * 2).order(ByteOrder.nativeOrder());
    ShortBuffer halves = buffer.asShortBuffer();
    for (int i = 0; i < data.length; i++) {
      halves.put(i, Fp16Conversions.floatToFp16(data[i]));
    }
    return buffer;
  }

  /**
   * A float16 output as float32: {@code rowCount} rows of {@code rowValues}, row {@code r} taken from
   * {@code source} row {@code pick[r]}. First copied into a fresh direct buffer, as DJL's
   * {@code NDArray.toByteBuffer()} copies the runtime's output tensor, then widened.
   */
  static float[] outputRows(ShortBuffer source, int rowValues, int[] pick) {
    ByteBuffer copy = ByteBuffer.allocateDirect(pick.length * rowValues * 2).order(ByteOrder.nativeOrder());
    ShortBuffer out = copy.asShortBuffer();
    for (int r = 0; r < pick.length; r++) {
      out.put(r * rowValues, source, pick[r] * rowValues, rowValues);
    }
    float[] floats = new float[pick.length * rowValues];
    for (int i = 0; i < floats.length; i++) {
      floats[i] = Fp16Conversions.fp16ToFloat(out.get(i));
    }
    return floats;
  }

  /** Float32 values as float16 in a direct buffer, for the device's precomputed outputs. */
  static ShortBuffer halvesOf(float[] values) {
    return toHalves(values, null).asShortBuffer();
  }
}
