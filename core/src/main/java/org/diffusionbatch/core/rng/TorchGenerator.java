package org.diffusionbatch.core.rng;

/**
 * A seeded generator whose {@code randn} reproduces, bit for bit,
 * {@code torch.randn(n, generator=torch.Generator("cpu").manual_seed(seed), dtype=torch.float32)}
 * on an x86-64 CPU, including successive calls on the same generator.
 *
 * <p>Torch draws float32 normals two ways, and so does this class:
 *
 * <ul>
 *   <li>16 or more values ({@code normal_fill}): every value first gets a 24-bit uniform from one
 *       32-bit Mersenne Twister output; then each block of 16 becomes 16 normals by Box–Muller,
 *       pairing {@code 1 - u[j]} with {@code u[j + 8]}. When the count is not a multiple of 16,
 *       the last 16 values are refilled with fresh uniforms and transformed again. Torch's x86
 *       build uses its AVX2 kernel here, whose float log and sin/cos are reproduced by {@link
 *       CephesFloatMath}.
 *   <li>Fewer than 16 values: one double-precision Box–Muller per pair from two 53-bit uniforms
 *       (each from two twister outputs); the sine half is cached in the generator and returned by
 *       the next scalar draw, even one in a later call.
 * </ul>
 *
 * Not thread-safe: use one generator per thread (torch's generator is similarly stateful).
 */
public final class TorchGenerator {
  /** Below this count torch takes the scalar double-precision path. */
  static final int VECTOR_MIN = 16;

  private static final float TWO_PI_FLOAT = (float) (2.0 * Math.PI);
  private static final float UNIFORM_FLOAT_SCALE = 1.0f / (1 << 24);
  private static final double UNIFORM_DOUBLE_SCALE = 1.0 / (1L << 53);

  private final long seed;
  private final Mt19937 engine;
  private boolean hasCachedNormal;
  private double cachedNormal;
  private final float[] sinCos = new float[2];

  /** Same as {@code torch.Generator("cpu").manual_seed(seed)}; any long is accepted, as torch does. */
  public TorchGenerator(long seed) {
    this.seed = seed;
    this.engine = new Mt19937(seed);
  }

  public long seed() {
    return seed;
  }

  /** One {@code torch.randn(shape)} call: returns a new array of the shape's element count. */
  public float[] randn(int... shape) {
    long count = 1;
    for (int dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException("randn shape must not have negative sizes, got " + java.util.Arrays.toString(shape));
      }
      count *= dim;
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("randn shape " + java.util.Arrays.toString(shape) + " has " + count + " elements, more than a Java array holds");
    }
    float[] out = new float[(int) count];
    randn(out, 0, out.length);
    return out;
  }

  /** One {@code torch.randn(count)} call, written to {@code out[offset, offset + count)}. */
  public void randn(float[] out, int offset, int count) {
    java.util.Objects.checkFromIndexSize(offset, count, out.length);
    if (count >= VECTOR_MIN) {
      normalFill(out, offset, count);
    } else {
      for (int i = 0; i < count; i++) {
        out[offset + i] = (float) nextNormalDouble();
      }
    }
  }

  private void normalFill(float[] data, int offset, int count) {
    for (int i = 0; i < count; i++) {
      data[offset + i] = nextUniformFloat();
    }
    for (int i = 0; i + VECTOR_MIN <= count; i += VECTOR_MIN) {
      boxMuller16(data, offset + i);
    }
    if (count % VECTOR_MIN != 0) {
      int tail = offset + count - VECTOR_MIN;
      for (int i = 0; i < VECTOR_MIN; i++) {
        data[tail + i] = nextUniformFloat();
      }
      boxMuller16(data, tail);
    }
  }

  /** Turns 16 uniforms at {@code at} into 16 normals, as torch's {@code normal_fill_16_AVX2}. */
  private void boxMuller16(float[] data, int at) {
    for (int j = 0; j < 8; j++) {
      float u1 = 1.0f - data[at + j]; // (0, 1] so the log is finite
      float u2 = data[at + j + 8];
      float radius = (float) Math.sqrt(-2.0f * CephesFloatMath.log(u1)); // sqrt of a float is correctly rounded either way
      float theta = TWO_PI_FLOAT * u2;
      CephesFloatMath.sinCos(theta, sinCos, 0);
      // mean 0 and std 1: the kernel's fmadd(n, 1, 0) leaves n unchanged except -0 becomes +0
      data[at + j] = radius * sinCos[1] + 0.0f;
      data[at + j + 8] = radius * sinCos[0] + 0.0f;
    }
  }

  /** torch's {@code at::normal_distribution<double>} with mean 0 and std 1, including its cache. */
  private double nextNormalDouble() {
    if (hasCachedNormal) {
      hasCachedNormal = false;
      return cachedNormal;
    }
    double u1 = nextUniformDouble();
    double u2 = nextUniformDouble();
    double r = Math.sqrt(-2.0 * StrictMath.log1p(-u2));
    double theta = 2.0 * Math.PI * u1;
    cachedNormal = r * StrictMath.sin(theta);
    hasCachedNormal = true;
    return r * StrictMath.cos(theta);
  }

  private float nextUniformFloat() {
    return (engine.nextInt() & 0xffffff) * UNIFORM_FLOAT_SCALE;
  }

  private double nextUniformDouble() {
    return (engine.nextLong() & ((1L << 53) - 1)) * UNIFORM_DOUBLE_SCALE;
  }
}
