package org.diffusionbatch.core.metrics;

/**
 * clean-fid's {@code clean} preprocessing: each channel of an RGB image, as a float32 image with
 * values 0..255, resized with PIL's BICUBIC filter ({@code Image.fromarray(c, mode='F')
 * .resize((s, s), Image.BICUBIC)}), clipped to 0..255 and not quantized.
 *
 * <p>PIL's {@code ImagingResample} on a float image: a separable convolution, horizontal pass
 * first (stored as float32, and only over the rows the vertical pass reads), then vertical. Per
 * output pixel, the cubic kernel with a = -0.5 is centred at (x + 0.5) * scale, its support
 * widened by the downscale factor (support 2 * max(scale, 1)), and the weights are divided by
 * their sum; sums are in float64, results stored as float32.
 */
public final class CleanResize {
  /** The Inception input size clean-fid resizes to. */
  public static final int INCEPTION_SIZE = 299;
  private static final double BICUBIC_SUPPORT = 2.0;

  private final int size;

  public CleanResize() {
    this(INCEPTION_SIZE);
  }

  /** Resizes to size x size. */
  public CleanResize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("resize target must be at least 1 pixel, got " + size);
    }
    this.size = size;
  }

  public int size() {
    return size;
  }

  /**
   * Resizes interleaved RGB bytes (row after row, top first) of the given height and width.
   *
   * @return 3 x size x size floats, channel planes one after another (CHW, for an NCHW batch)
   */
  public float[] resize(byte[] rgb, int height, int width) {
    float[] out = new float[3 * size * size];
    resizeInto(rgb, height, width, out, 0);
    return out;
  }

  /** As {@link #resize}, writing the three planes into {@code out} at {@code offset}. */
  public void resizeInto(byte[] rgb, int height, int width, float[] out, int offset) {
    ImagePlanes.check(rgb, height, width, out, offset, size);
    float[] plane = new float[height * width];
    for (int c = 0; c < 3; c++) {
      ImagePlanes.channel(rgb, c, plane);
      float[] resized = resizePlane(plane, height, width, size, size);
      int base = offset + c * size * size;
      for (int i = 0; i < resized.length; i++) {
        float v = resized[i];
        out[base + i] = v < 0f ? 0f : (v > 255f ? 255f : v);
      }
    }
  }

  /**
   * PIL's {@code Image.resize((outWidth, outHeight), BICUBIC)} of a mode 'F' image, unclipped.
   *
   * @param plane height x width float32 values, row after row
   */
  static float[] resizePlane(float[] plane, int height, int width, int outHeight, int outWidth) {
    Coefficients horizontal = Coefficients.of(width, outWidth);
    Coefficients vertical = Coefficients.of(height, outHeight);
    boolean needHorizontal = outWidth != width;
    boolean needVertical = outHeight != height;

    float[] source = plane;
    int sourceWidth = width;
    int rowOffset = 0;
    if (needHorizontal) {
      // Only the rows the vertical pass reads, as PIL does.
      int first = vertical.min[0];
      int last = vertical.min[outHeight - 1] + vertical.count[outHeight - 1];
      int rows = needVertical ? last - first : height;
      int from = needVertical ? first : 0;
      float[] temp = new float[rows * outWidth];
      for (int y = 0; y < rows; y++) {
        int in = (y + from) * width;
        for (int x = 0; x < outWidth; x++) {
          double ss = 0;
          int k = x * horizontal.ksize;
          int xmin = horizontal.min[x];
          for (int i = 0; i < horizontal.count[x]; i++) {
            ss += plane[in + xmin + i] * horizontal.weights[k + i];
          }
          temp[y * outWidth + x] = (float) ss;
        }
      }
      source = temp;
      sourceWidth = outWidth;
      rowOffset = from;
    }
    if (!needVertical) {
      return source == plane ? plane.clone() : source;
    }
    float[] out = new float[outHeight * sourceWidth];
    for (int y = 0; y < outHeight; y++) {
      int k = y * vertical.ksize;
      int ymin = vertical.min[y] - rowOffset;
      for (int x = 0; x < sourceWidth; x++) {
        double ss = 0;
        for (int i = 0; i < vertical.count[y]; i++) {
          ss += source[(ymin + i) * sourceWidth + x] * vertical.weights[k + i];
        }
        out[y * sourceWidth + x] = (float) ss;
      }
    }
    return out;
  }

  /** PIL's bicubic kernel, a = -0.5. */
  static double bicubic(double x) {
    final double a = -0.5;
    if (x < 0) {
      x = -x;
    }
    if (x < 1) {
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    }
    if (x < 2) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0;
  }

  /** PIL's {@code precompute_coeffs} for one axis: first input index, tap count and weights. */
  private record Coefficients(int ksize, int[] min, int[] count, double[] weights) {
    static Coefficients of(int inSize, int outSize) {
      double scale = (double) inSize / outSize;
      double filterScale = Math.max(scale, 1.0);
      double support = BICUBIC_SUPPORT * filterScale;
      int ksize = (int) Math.ceil(support) * 2 + 1;
      int[] min = new int[outSize];
      int[] count = new int[outSize];
      double[] weights = new double[outSize * ksize];
      for (int xx = 0; xx < outSize; xx++) {
        double center = (xx + 0.5) * scale;
        double ss = 1.0 / filterScale;
        int xmin = Math.max(0, (int) (center - support + 0.5));
        int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
        double ww = 0;
        int k = xx * ksize;
        for (int x = 0; x < xmax; x++) {
          double w = bicubic((x + xmin - center + 0.5) * ss);
          weights[k + x] = w;
          ww += w;
        }
        if (ww != 0) {
          for (int x = 0; x < xmax; x++) {
            weights[k + x] /= ww;
          }
        }
        min[xx] = xmin;
        count[xx] = Math.max(xmax, 0);
      }
      return new Coefficients(ksize, min, count, weights);
    }
  }
}
