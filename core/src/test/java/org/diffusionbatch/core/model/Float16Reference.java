package org.diffusionbatch.core.model;

/**
 * An independent IEEE 754 binary16 ("half", ONNX float16) conversion, written from the standard:
 * the reference the library's conversion (ONNX Runtime's {@code Fp16Conversions}, which the model
 * runtime uses) is checked against. Float to half rounds to nearest, ties to even, like the
 * hardware and numpy do; overflow gives infinity, tiny values give subnormals or signed zero, NaN
 * stays NaN (quiet, payload's top bits kept).
 */
final class Float16Reference {
  private Float16Reference() {}

  /** The nearest half to {@code value}, as its 16 bits. */
  static short fromFloat(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = (bits >>> 23) & 0xff;
    int mantissa = bits & 0x7f_ffff;
    if (exponent == 0xff) {
      // Infinity keeps a zero mantissa; NaN gets the quiet bit so dropping low payload bits cannot make it infinity.
      return (short) (sign | 0x7c00 | (mantissa == 0 ? 0 : 0x200 | (mantissa >>> 13)));
    }
    int halfExponent = exponent - 127 + 15;
    if (halfExponent >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (halfExponent <= 0) {
      // Half subnormal: value = m * 2^-24. Below half the smallest subnormal everything rounds to zero.
      if (halfExponent < -10) {
        return (short) sign;
      }
      int significand = mantissa | 0x80_0000; // float normals carry an implicit leading 1
      return (short) (sign | roundShift(significand, 14 - halfExponent));
    }
    // Normal. Adding 0xfff plus the kept lowest bit carries exactly when the dropped 13 bits are
    // above half, or at half with an odd result: round to nearest even without a data-dependent
    // branch (a mispredicted one cost ~3x on Gaussian data). A carry out of the mantissa correctly
    // bumps the exponent, and 0x7bff rounds up to infinity.
    int rounded = (mantissa + 0xfff + ((mantissa >>> 13) & 1)) >>> 13;
    return (short) (sign | ((halfExponent << 10) + rounded));
  }

  /** {@code value >> shift}, rounded to nearest with ties to even. */
  private static int roundShift(int value, int shift) {
    int truncated = value >>> shift;
    int remainder = value & ((1 << shift) - 1);
    int half = 1 << (shift - 1);
    if (remainder > half || (remainder == half && (truncated & 1) != 0)) {
      truncated++;
    }
    return truncated;
  }

  /** The exact float value of a half (every half is exactly representable as a float). */
  static float toFloat(short half) {
    int bits = half & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f80_0000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float magnitude = mantissa * 0x1p-24f; // subnormal or zero; exact in float
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
}
