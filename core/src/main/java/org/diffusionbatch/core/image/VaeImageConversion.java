package org.diffusionbatch.core.image;

/**
 * Turns the VAE decoder's output into 8-bit pixels exactly as diffusers'
 * {@code VaeImageProcessor.postprocess(output_type="pil")} does: {@code (x / 2 + 0.5).clamp(0, 1)}
 * in float32, then numpy's {@code (images * 255).round().astype("uint8")}, where the product is
 * float32 and {@code round} rounds halves to even.
 */
public final class VaeImageConversion {
  private VaeImageConversion() {}

  /**
   * One image of a decoded batch, [B, 3, H, W] in C order with values in [-1, 1], as interleaved
   * RGB bytes (row after row, top first), ready for {@link PngEncoder}.
   *
   * @param batchChw the decoder output for the whole batch
   * @param row which image of the batch
   */
  public static byte[] toRgb(float[] batchChw, int row, int height, int width) {
    int plane = height * width;
    long offset = (long) row * 3 * plane;
    if (row < 0 || height < 1 || width < 1 || offset + 3L * plane > batchChw.length) {
      throw new IllegalArgumentException("image " + row + " of size 3x" + height + "x" + width
          + " does not fit a decoder output of " + batchChw.length + " floats");
    }
    int base = (int) offset;
    byte[] rgb = new byte[3 * plane];
    for (int c = 0; c < 3; c++) {
      int src = base + c * plane;
      for (int p = 0; p < plane; p++) {
        rgb[p * 3 + c] = (byte) toByte(batchChw[src + p]);
      }
    }
    return rgb;
  }

  /** One value in [-1, 1] to 0..255, rounding like numpy; NaN becomes 0. */
  static int toByte(float x) {
    float v = x / 2f + 0.5f;
    v = v < 0f ? 0f : (v > 1f ? 1f : v); // NaN fails both tests and stays NaN
    float scaled = v * 255f;
    return scaled != scaled ? 0 : (int) Math.rint(scaled);
  }
}
