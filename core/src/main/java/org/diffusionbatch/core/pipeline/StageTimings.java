package org.diffusionbatch.core.pipeline;

/**
 * Wall time of each stage of the batch an image was made in, in nanoseconds. The UNet and the
 * sampler's own arithmetic are split so users can see how much of the loop is not the model.
 */
public record StageTimings(long textNanos, long unetNanos, long samplerNanos, long decodeNanos, long pngNanos) {

  public StageTimings withPngNanos(long nanos) {
    return new StageTimings(textNanos, unetNanos, samplerNanos, decodeNanos, nanos);
  }

  public long totalNanos() {
    return textNanos + unetNanos + samplerNanos + decodeNanos + pngNanos;
  }
}
