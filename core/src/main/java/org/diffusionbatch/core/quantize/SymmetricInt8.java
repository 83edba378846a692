package org.diffusionbatch.core.quantize;

import ai.onnxruntime.platform.Fp16Conversions;

/**
 * Symmetric INT8 for weights, as ONNX Runtime's quantizer makes it: per channel (or per tensor) a
 * scale {@code max|w| / 127}, zero point 0, values rounded to nearest (ties to even, as
 * QuantizeLinear does) in [-127, 127], so {@code |q * scale - w| <= scale / 2} for every element.
 */
final class SymmetricInt8 {
  static final int QMAX = 127;

  private SymmetricInt8() {}

  /**
   * @param values the tensor in C order
   * @param dims its shape
   * @param axis the channel axis, or -1 for one scale over the whole tensor
   * @param scales one per channel along {@code axis} ({@code dims[axis]} long, or 1 for axis -1)
   * @param quantized the INT8 values in the same order
   */
  record Quantized(float[] scales, byte[] quantized, int axis) {}

  static Quantized quantize(float[] values, long[] dims, int axis) {
    return quantize(values, dims, axis, false);
  }

  /**
   * @param halfScales the scales will be stored as float16: each is rounded up to a float16 value
   *     first and the weights quantized with it, so the bound holds for the stored scale
   */
  static Quantized quantize(float[] values, long[] dims, int axis, boolean halfScales) {
    int channels = axis < 0 ? 1 : Math.toIntExact(dims[axis]);
    long inner = 1; // elements between two consecutive indices of the channel axis
    for (int d = axis + 1; d < dims.length && axis >= 0; d++) {
      inner *= dims[d];
    }
    float[] absMax = new float[channels];
    for (int i = 0; i < values.length; i++) {
      int c = channel(i, inner, channels, axis);
      float a = Math.abs(values[i]);
      if (!(a <= Float.MAX_VALUE)) {
        throw new IllegalArgumentException("weight has a non-finite value (" + values[i] + ") at element " + i
            + "; a model with NaN or infinite weights cannot be quantized");
      }
      absMax[c] = Math.max(absMax[c], a);
    }
    float[] scales = new float[channels];
    for (int c = 0; c < channels; c++) {
      // An all-zero channel gets scale 1: any positive scale gives exact zeros, and 0 is not a valid scale.
      scales[c] = absMax[c] == 0 ? 1f : absMax[c] / QMAX;
      if (halfScales) {
        scales[c] = halfAtLeast(scales[c]);
      }
    }
    byte[] q = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      float scale = scales[channel(i, inner, channels, axis)];
      long r = (long) Math.rint(values[i] / scale);
      q[i] = (byte) Math.max(-QMAX, Math.min(QMAX, r));
    }
    return new Quantized(scales, q, axis);
  }

  /** The smallest positive float16 value not below {@code value}, as a float. */
  static float halfAtLeast(float value) {
    short half = Fp16Conversions.floatToFp16(value);
    while (Fp16Conversions.fp16ToFloat(half) < value || Fp16Conversions.fp16ToFloat(half) <= 0) {
      half++; // positive halves order like their bits
    }
    return Fp16Conversions.fp16ToFloat(half);
  }

  private static int channel(int index, long inner, int channels, int axis) {
    return axis < 0 ? 0 : (int) ((index / inner) % channels);
  }
}
