package org.diffusionbatch.core.sampler;

/** Shape of a batch of latents, [batch, channels, height, width], flattened in C order. */
public record LatentShape(int batch, int channels, int height, int width) {
  public LatentShape {
    if (batch < 1 || channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("latent shape must be positive, got " + this);
    }
  }

  /** Elements in one batch row (C*H*W). */
  public int rowSize() {
    return channels * height * width;
  }

  /** Elements in the whole batch. */
  public int size() {
    return batch * rowSize();
  }

  public LatentShape withBatch(int newBatch) {
    return new LatentShape(newBatch, channels, height, width);
  }

  @Override
  public String toString() {
    return "[" + batch + ", " + channels + ", " + height + ", " + width + "]";
  }
}
