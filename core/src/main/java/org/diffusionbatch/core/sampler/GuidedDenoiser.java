package org.diffusionbatch.core.sampler;

/**
 * A {@link Denoiser} that applies classifier-free guidance around a batched model call: with
 * guidance on (scale > 1) the model sees {@code cat([x, x])} as 2B rows (its conditioning must
 * be unconditional for the first B rows, conditional for the rest) and the halves are combined;
 * with guidance off it sees the B rows once, conditionally. Buffers are allocated once.
 */
public final class GuidedDenoiser implements Denoiser {
  /** One model call on a batch of {@code shape.batch()} rows. */
  @FunctionalInterface
  public interface BatchModel {
    void predict(float[] input, LatentShape shape, int step, double timestep, float[] out);
  }

  private final BatchModel model;
  private final LatentShape shape;
  private final double scale;
  private final double rescale;
  private final float[] doubledInput;
  private final float[] doubledOutput;

  /**
   * @param shape the latent shape [B, C, H, W] the sampler runs on
   * @param scale guidance scale; at most 1 turns guidance off
   * @param rescale guidance_rescale (0 = off), only used with guidance on
   */
  public GuidedDenoiser(BatchModel model, LatentShape shape, double scale, double rescale) {
    this.model = model;
    this.shape = shape;
    this.scale = scale;
    this.rescale = rescale;
    boolean on = ClassifierFreeGuidance.guidanceEnabled(scale);
    this.doubledInput = on ? new float[2 * shape.size()] : null;
    this.doubledOutput = on ? new float[2 * shape.size()] : null;
  }

  /** Whether the model is called on 2B rows (guidance on). */
  public boolean guided() {
    return doubledInput != null;
  }

  @Override
  public void predict(float[] modelInput, int step, double timestep, float[] out) {
    if (!guided()) {
      model.predict(modelInput, shape, step, timestep, out);
      return;
    }
    ClassifierFreeGuidance.duplicate(modelInput, doubledInput);
    model.predict(doubledInput, shape.withBatch(2 * shape.batch()), step, timestep, doubledOutput);
    // a NaN/inf in either half reaches the combined row, which Sampling.run checks per image
    ClassifierFreeGuidance.combine(doubledOutput, shape, scale, rescale, out);
  }
}
