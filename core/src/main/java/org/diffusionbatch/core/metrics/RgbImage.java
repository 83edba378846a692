package org.diffusionbatch.core.metrics;

/**
 * An 8-bit RGB image: {@code rgb} holds R, G, B for each pixel, row after row, top first (the
 * layout {@code PIL.Image.convert("RGB")} gives as a numpy array [H, W, 3]).
 */
public record RgbImage(int width, int height, byte[] rgb) {
  public RgbImage {
    if (width < 1 || height < 1 || rgb.length != 3L * width * height) {
      throw new IllegalArgumentException("an RGB image of " + width + "x" + height + " needs " + 3L * width * height
          + " bytes, got " + rgb.length);
    }
  }

  /** Channel {@code c} (0 = R) as 0..255 floats, row-major [H, W]. */
  public float[] channel(int c) {
    float[] plane = new float[width * height];
    for (int p = 0; p < plane.length; p++) {
      plane[p] = rgb[p * 3 + c] & 0xff;
    }
    return plane;
  }

  @Override
  public String toString() {
    return "RgbImage[" + width + "x" + height + "]";
  }
}
