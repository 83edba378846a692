package org.diffusionbatch.core.pipeline;

import org.diffusionbatch.core.model.UNet;
import org.diffusionbatch.core.model.UNetConditioning;
import org.diffusionbatch.core.sampler.ClassifierFreeGuidance;
import org.diffusionbatch.core.sampler.Denoiser;
import org.diffusionbatch.core.sampler.LatentShape;

/**
 * The UNet as the sampler sees it. With classifier-free guidance it runs the unconditional and
 * conditional rows in one call (uncond first, as diffusers does) and combines them; without (LCM's
 * guidance embedding, SDXL-Turbo's guidance 0) it runs one row per image.
 */
final class GuidedDenoiser implements Denoiser {
  private final UNet unet;
  private final LatentShape shape;
  private final UNetConditioning conditioning;
  private final double guidanceScale;
  private final double guidanceRescale;
  private final boolean guided;
  private final float[] doubledInput;
  private long unetNanos;

  /**
   * @param conditioning 2B rows (unconditional, then conditional) when {@code guided}, else B rows
   */
  GuidedDenoiser(UNet unet, LatentShape shape, UNetConditioning conditioning, boolean guided, double guidanceScale,
      double guidanceRescale) {
    this.unet = unet;
    this.shape = shape;
    this.conditioning = conditioning;
    this.guided = guided;
    this.guidanceScale = guidanceScale;
    this.guidanceRescale = guidanceRescale;
    this.doubledInput = guided ? new float[2 * shape.size()] : null;
  }

  @Override
  public void predict(float[] modelInput, int step, double timestep, float[] out) {
    long start = System.nanoTime();
    if (guided) {
      ClassifierFreeGuidance.duplicate(modelInput, doubledInput);
      float[] prediction = unet.predict(doubledInput, shape.withBatch(2 * shape.batch()), timestep, conditioning);
      unetNanos += System.nanoTime() - start;
      ClassifierFreeGuidance.combine(prediction, shape, guidanceScale, guidanceRescale, out);
    } else {
      float[] prediction = unet.predict(modelInput, shape, timestep, conditioning);
      unetNanos += System.nanoTime() - start;
      System.arraycopy(prediction, 0, out, 0, out.length);
    }
  }

  /** Time spent inside UNet calls so far. */
  long unetNanos() {
    return unetNanos;
  }
}
