package org.diffusionbatch.core.metrics;

/** Brings an image to a model's input size by a {@link Preprocessing} mode, over clean-fid's two resizers. */
final class Resizing {
  private Resizing() {}

  /**
   * Writes the image's three channel planes at {@code height x width} (CHW, values 0..255) into
   * {@code out} at {@code offset}.
   *
   * @throws IllegalArgumentException when the mode cannot bring the image to that size
   */
  static void resizeInto(Preprocessing mode, RgbImage image, int height, int width, float[] out, int offset) {
    boolean same = image.height() == height && image.width() == width;
    if (mode == Preprocessing.NONE || same) {
      if (!same) {
        throw new IllegalArgumentException("a " + image.width() + "x" + image.height() + " image does not fit the input size "
            + width + "x" + height + " and preprocessing is none (no resizing); use clean or legacy-pytorch");
      }
      int plane = height * width;
      byte[] rgb = image.rgb();
      for (int c = 0; c < 3; c++) {
        for (int p = 0; p < plane; p++) {
          out[offset + c * plane + p] = rgb[p * 3 + c] & 0xff;
        }
      }
      return;
    }
    if (height == width) {
      if (mode == Preprocessing.CLEAN) {
        new CleanResize(height).resizeInto(image.rgb(), image.height(), image.width(), out, offset);
      } else {
        new TorchBilinearResize(height).resizeInto(image.rgb(), image.height(), image.width(), out, offset);
      }
      return;
    }
    if (mode != Preprocessing.CLEAN) {
      throw new IllegalArgumentException(mode + " resizing is implemented for square inputs only; the model takes "
          + width + "x" + height + "; use clean resizing");
    }
    float[] plane = new float[image.height() * image.width()];
    for (int c = 0; c < 3; c++) {
      ImagePlanes.channel(image.rgb(), c, plane);
      float[] resized = cleanPlane(plane, image.height(), image.width(), height, width);
      System.arraycopy(resized, 0, out, offset + c * height * width, resized.length);
    }
  }

  /** One float plane resized by PIL's bicubic filter in float (clean-fid's clean), clipped to 0..255. */
  static float[] cleanPlane(float[] plane, int height, int width, int outHeight, int outWidth) {
    float[] resized = CleanResize.resizePlane(plane, height, width, outHeight, outWidth);
    for (int i = 0; i < resized.length; i++) {
      resized[i] = resized[i] < 0f ? 0f : (resized[i] > 255f ? 255f : resized[i]);
    }
    return resized;
  }
}
