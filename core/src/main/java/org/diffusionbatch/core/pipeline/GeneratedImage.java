package org.diffusionbatch.core.pipeline;

/**
 * One finished image: interleaved 8-bit RGB pixels, and the PNG bytes when they were asked for.
 */
public record GeneratedImage(int width, int height, byte[] rgb, byte[] png, StageTimings timings) {

  public GeneratedImage withPng(byte[] pngBytes, long pngNanos) {
    return new GeneratedImage(width, height, rgb, pngBytes, timings.withPngNanos(pngNanos));
  }
}
