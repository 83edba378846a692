package org.diffusionbatch.core.pipeline;

import org.diffusionbatch.core.model.UNet;
import org.diffusionbatch.core.sampler.ClassifierFreeGuidance;
import org.diffusionbatch.core.sampler.Denoiser;
import org.diffusionbatch.core.sampler.LatentShape;

/**
 * The UNet as the sampler sees it. With classifier-free guidance it runs the unconditional and
 * conditional rows in one call (uncond first, as diffusers does) and combines them; an LCM UNet
 * instead gets the guidance embedding as timestep_cond and one row per image.
 */
final class GuidedDenoiser implements Denoiser {
  private final UNet unet;
  private final LatentShape shape;
  private final float[] encoderHiddenStates;
  private final float[] timestepCond;
  private final double guidanceScale;
  private final double guidanceRescale;
  private final boolean guided;
  private final float[] doubledInput;
  private long unetNanos;

  GuidedDenoiser(
      UNet unet,
      LatentShape shape,
      float[] encoderHiddenStates,
      float[] timestepCond,
      boolean guided,
      double guidanceScale,
      double guidanceRescale) {
    this.unet = unet;
    this.shape = shape;
    this.encoderHiddenStates = encoderHiddenStates;
    this.timestepCond = timestepCond;
    this.guided = guided;
    this.guidanceScale = guidanceScale;
    this.guidanceRescale = guidanceRescale;
    this.doubledInput = guided ? new float[2 * shape.size()] : null;
  }

  @Override
  public void predict(float[] modelInput, int step, double timestep, float[] out) {
    long start = System.nanoTime();
    float[] prediction;
    if (guided) {
      System.arraycopy(modelInput, 0, doubledInput, 0, modelInput.length);
      System.arraycopy(modelInput, 0, doubledInput, modelInput.length, modelInput.length);
      prediction =
          unet.predict(doubledInput, shape.withBatch(2 * shape.batch()), timestep, encoderHiddenStates, null);
      unetNanos += System.nanoTime() - start;
      ClassifierFreeGuidance.combine(prediction, shape, guidanceScale, guidanceRescale, out);
    } else {
      prediction = unet.predict(modelInput, shape, timestep, encoderHiddenStates, timestepCond);
      unetNanos += System.nanoTime() - start;
      System.arraycopy(prediction, 0, out, 0, out.length);
    }
  }

  /** Time spent inside UNet calls so far. */
  long unetNanos() {
    return unetNanos;
  }
}
