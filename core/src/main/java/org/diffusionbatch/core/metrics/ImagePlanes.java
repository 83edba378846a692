package org.diffusionbatch.core.metrics;

/** Interleaved RGB bytes to float channel planes, shared by the resizers. */
final class ImagePlanes {
  private ImagePlanes() {}

  static void check(byte[] rgb, int height, int width, float[] out, int offset, int size) {
    if (height < 1 || width < 1 || (long) height * width * 3 != rgb.length) {
      throw new IllegalArgumentException("an RGB image of " + width + "x" + height + " needs "
          + ((long) height * width * 3) + " bytes, got " + rgb.length);
    }
    if (offset < 0 || (long) offset + 3L * size * size > out.length) {
      throw new IllegalArgumentException("3x" + size + "x" + size + " floats at offset " + offset
          + " do not fit an output of " + out.length);
    }
  }

  /** Channel c (0 red, 1 green, 2 blue) of interleaved RGB bytes as values 0..255. */
  static void channel(byte[] rgb, int c, float[] plane) {
    for (int i = 0; i < plane.length; i++) {
      plane[i] = rgb[i * 3 + c] & 0xff;
    }
  }
}
