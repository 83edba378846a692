package org.diffusionbatch.jobs.generate.executor;

import org.diffusionbatch.core.image.PngEncoder;

/** RGB bytes to PNG with core's encoder (fixed filter, fast deflate), the same bytes txt2img writes. */
final class Png {
  private static final PngEncoder ENCODER = new PngEncoder();

  private Png() {}

  static byte[] encode(byte[] rgb, int width, int height) {
    return ENCODER.encode(rgb, width, height);
  }
}
