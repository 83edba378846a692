package org.diffusionbatch.core.rng;

/**
 * Single-precision natural log and sine/cosine computed step for step like the AVX2 kernel that
 * torch's CPU {@code randn} uses for float tensors of 16 or more elements ({@code log256_ps} and
 * {@code sincos256_ps} from ATen's {@code avx_mathfun.h}, Cephes polynomials). They are not
 * correctly rounded, so {@code Math.log}/{@code Math.cos} would differ from torch in the last bit
 * on some inputs; replaying the same float operations in the same order reproduces torch exactly
 * (Java float arithmetic is IEEE single precision without contraction).
 *
 * <p>Torch's AVX2 kernels are compiled with FMA enabled, and GCC contracts a multiply followed by
 * an add of its result into one fused multiply-add (the first multiply, in statement order, that
 * feeds each add). The {@link Math#fma} calls below sit exactly where that contraction happens;
 * which multiplies are fused was confirmed against torch's recorded outputs (a plain
 * multiply-then-add differs in the last bit for about 1 value in 100).
 *
 * <p>Constants are written as double literals cast to float because that is how the C header
 * declares them (a double literal stored into a float array).
 */
final class CephesFloatMath {
  private static final float SQRTHF = (float) 0.707106781186547524;
  private static final float LOG_P0 = (float) 7.0376836292E-2;
  private static final float LOG_P1 = (float) -1.1514610310E-1;
  private static final float LOG_P2 = (float) 1.1676998740E-1;
  private static final float LOG_P3 = (float) -1.2420140846E-1;
  private static final float LOG_P4 = (float) 1.4249322787E-1;
  private static final float LOG_P5 = (float) -1.6668057665E-1;
  private static final float LOG_P6 = (float) 2.0000714765E-1;
  private static final float LOG_P7 = (float) -2.4999993993E-1;
  private static final float LOG_P8 = (float) 3.3333331174E-1;
  private static final float LOG_Q1 = (float) -2.12194440e-4;
  private static final float LOG_Q2 = (float) 0.693359375;

  private static final float MINUS_DP1 = (float) -0.78515625;
  private static final float MINUS_DP2 = (float) -2.4187564849853515625e-4;
  private static final float MINUS_DP3 = (float) -3.77489497744594108e-8;
  private static final float SINCOF_P0 = (float) -1.9515295891E-4;
  private static final float SINCOF_P1 = (float) 8.3321608736E-3;
  private static final float SINCOF_P2 = (float) -1.6666654611E-1;
  private static final float COSCOF_P0 = (float) 2.443315711809948E-005;
  private static final float COSCOF_P1 = (float) -1.388731625493765E-003;
  private static final float COSCOF_P2 = (float) 4.166664568298827E-002;
  private static final float FOUR_OVER_PI = (float) 1.27323954473516;

  private static final int SIGN_MASK = 0x80000000;
  private static final int EXPONENT_MASK = 0x7f800000;
  private static final int MIN_NORMAL_BITS = 0x00800000;

  private CephesFloatMath() {}

  private static float fma(float a, float b, float c) {
    return Math.fma(a, b, c);
  }

  /** ln(x) for positive finite x, as {@code log256_ps} computes one lane. */
  static float log(float x) {
    // Denormals are clamped to the smallest normal, as the kernel does.
    float v = Math.max(x, Float.intBitsToFloat(MIN_NORMAL_BITS));
    int bits = Float.floatToRawIntBits(v);
    float e = (float) ((bits >>> 23) - 0x7f);
    e = e + 1.0f;
    // Mantissa rescaled into [0.5, 1).
    v = Float.intBitsToFloat((bits & ~EXPONENT_MASK) | Float.floatToRawIntBits(0.5f));

    boolean small = v < SQRTHF;
    float tmp = small ? v : 0.0f;
    v = v - 1.0f;
    e = e - (small ? 1.0f : 0.0f);
    v = v + tmp;

    float z = v * v;
    float y = LOG_P0;
    y = fma(y, v, LOG_P1);
    y = fma(y, v, LOG_P2);
    y = fma(y, v, LOG_P3);
    y = fma(y, v, LOG_P4);
    y = fma(y, v, LOG_P5);
    y = fma(y, v, LOG_P6);
    y = fma(y, v, LOG_P7);
    y = fma(y, v, LOG_P8);
    y = y * v;
    y = fma(y, z, e * LOG_Q1);
    y = fma(-z, 0.5f, y);
    v = v + y;
    v = fma(e, LOG_Q2, v);
    return x <= 0 ? Float.NaN : v;
  }

  /**
   * Sine and cosine of x together, as {@code sincos256_ps} computes one lane; writes sin to
   * {@code out[at]} and cos to {@code out[at + 1]}.
   */
  static void sinCos(float x, float[] out, int at) {
    int signSin = Float.floatToRawIntBits(x) & SIGN_MASK;
    x = Math.abs(x);

    int j = (int) (x * FOUR_OVER_PI); // truncation, like cvttps
    j = (j + 1) & ~1;
    float y = (float) j;

    int swapSignSin = (j & 4) << 29;
    boolean firstPolyForSin = (j & 2) == 0;

    // Extended-precision range reduction: x - y*pi/4 in three parts.
    x = fma(y, MINUS_DP1, x);
    x = fma(y, MINUS_DP2, x);
    x = fma(y, MINUS_DP3, x);

    int signCos = (~(j - 2) & 4) << 29;
    signSin ^= swapSignSin;

    float z = x * x;
    float c = COSCOF_P0;
    c = fma(c, z, COSCOF_P1);
    c = fma(c, z, COSCOF_P2);
    c = c * z;
    c = fma(c, z, -(z * 0.5f));
    c = c + 1.0f;

    float s = SINCOF_P0;
    s = fma(s, z, SINCOF_P1);
    s = fma(s, z, SINCOF_P2);
    s = s * z;
    s = fma(s, x, x);

    // Blend exactly as the kernel does (the adds of zero can turn -0 into +0).
    float sinPart2 = firstPolyForSin ? s : 0.0f;
    float sinPart1 = firstPolyForSin ? 0.0f : c;
    s = s - sinPart2;
    c = c - sinPart1;
    float sin = sinPart1 + sinPart2;
    float cos = c + s;

    out[at] = Float.intBitsToFloat(Float.floatToRawIntBits(sin) ^ signSin);
    out[at + 1] = Float.intBitsToFloat(Float.floatToRawIntBits(cos) ^ signCos);
  }
}
