package org.diffusionbatch.core.metrics;

/**
 * clean-fid's {@code legacy_pytorch} preprocessing: the RGB image as a float tensor with values
 * 0..255, {@code torch.nn.functional.interpolate(x, size=(s, s), mode='bilinear',
 * align_corners=False)} (no antialiasing, also when shrinking), clipped to 0..255.
 *
 * <p>torch's CPU kernel: per axis, scale = in / out in float32, source = max(scale * (o + 0.5) -
 * 0.5, 0) in float64 (torch's acc_type), i0 = (int) source, i1 = min(i0 + 1, in - 1), weights
 * w1 = source - i0 and w0 = 1 - w1 in float32; the output is (x[h0, w0] lw0 + x[h0, w1] lw1) hw0 +
 * (x[h1, w0] lw0 + x[h1, w1] lw1) hw1 in float32. Matches torch 1.13 to a few float32 ulps.
 */
public final class TorchBilinearResize {
  private final int size;

  public TorchBilinearResize() {
    this(CleanResize.INCEPTION_SIZE);
  }

  /** Resizes to size x size. */
  public TorchBilinearResize(int size) {
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
    Axis rows = Axis.of(height, size);
    Axis cols = Axis.of(width, size);
    float[] plane = new float[height * width];
    for (int c = 0; c < 3; c++) {
      ImagePlanes.channel(rgb, c, plane);
      int base = offset + c * size * size;
      for (int y = 0; y < size; y++) {
        int r0 = rows.i0[y] * width;
        int r1 = rows.i1[y] * width;
        float hw0 = rows.w0[y];
        float hw1 = rows.w1[y];
        for (int x = 0; x < size; x++) {
          int c0 = cols.i0[x];
          int c1 = cols.i1[x];
          float lw0 = cols.w0[x];
          float lw1 = cols.w1[x];
          float top = plane[r0 + c0] * lw0 + plane[r0 + c1] * lw1;
          float bottom = plane[r1 + c0] * lw0 + plane[r1 + c1] * lw1;
          float v = top * hw0 + bottom * hw1;
          out[base + y * size + x] = v < 0f ? 0f : (v > 255f ? 255f : v);
        }
      }
    }
  }

  /** Source indices and weights along one axis, in float32 as torch computes them. */
  private record Axis(int[] i0, int[] i1, float[] w0, float[] w1) {
    static Axis of(int in, int out) {
      int[] i0 = new int[out];
      int[] i1 = new int[out];
      float[] w0 = new float[out];
      float[] w1 = new float[out];
      float scale = (float) in / out;
      for (int o = 0; o < out; o++) {
        if (in == out) {
          i0[o] = o;
          i1[o] = o;
          w0[o] = 1f;
          w1[o] = 0f;
          continue;
        }
        // torch keeps the scale in float but the source index in acc_type<float> = double.
        double src = Math.max((double) scale * (o + 0.5) - 0.5, 0.0);
        int lo = Math.min((int) src, in - 1);
        i0[o] = lo;
        i1[o] = lo + (lo < in - 1 ? 1 : 0);
        float lambda = (float) Math.min(Math.max(src - lo, 0.0), 1.0);
        w1[o] = lambda;
        w0[o] = 1f - lambda;
      }
      return new Axis(i0, i1, w0, w1);
    }
  }
}
