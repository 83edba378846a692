package org.diffusionbatch.core.sampler;

/**
 * One pass of a sampler over one batch: the planned timesteps and the state the algorithm carries
 * between steps (multistep history, buffers). Steps must be taken in order, once each. Buffers are
 * allocated when the run is planned, never per step.
 */
public abstract class SamplerRun {
  protected final LatentShape shape;
  protected final double[] timesteps;
  private int nextStep;

  protected SamplerRun(LatentShape shape, double[] timesteps) {
    this.shape = shape;
    this.timesteps = timesteps;
  }

  public final LatentShape shape() {
    return shape;
  }

  /** Number of steps (model calls) in this run. */
  public final int steps() {
    return timesteps.length;
  }

  /** The timestep the model is given at each step. */
  public final double[] timesteps() {
    return timesteps.clone();
  }

  public final double timestep(int step) {
    return timesteps[step];
  }

  /** What the initial N(0, 1) noise is multiplied by to make the first latents. */
  public double initNoiseSigma() {
    return 1.0;
  }

  /** Writes the model input for {@code step} from latents {@code x}; identity unless overridden. */
  public void scaleModelInput(float[] x, int step, float[] out) {
    checkSize("latents", x);
    checkSize("model input buffer", out);
    if (out != x) {
      System.arraycopy(x, 0, out, 0, x.length);
    }
  }

  /**
   * Advances latents {@code x} (updated in place) by one step given the model's prediction at this
   * step. Noise the algorithm needs is drawn from {@code noise} in the order diffusers draws it.
   */
  public final void step(int step, float[] modelOutput, float[] x, NoiseSource noise) {
    if (step != nextStep) {
      throw new IllegalStateException(
          "step " + step + " taken out of order: this run expects step " + nextStep + " of "
              + steps() + " next (plan a new run for another batch)");
    }
    checkSize("model output", modelOutput);
    checkSize("latents", x);
    advance(step, modelOutput, x, noise);
    nextStep++;
  }

  /**
   * What the pipeline decodes after the last step: {@code x}, or for LCM the last consistency
   * estimate, which lives in a buffer of this run (copy it if the run is reused or kept).
   */
  public float[] result(float[] x) {
    return x;
  }

  protected abstract void advance(int step, float[] modelOutput, float[] x, NoiseSource noise);

  protected final boolean isLastStep(int step) {
    return step == timesteps.length - 1;
  }

  protected final void checkSize(String what, float[] a) {
    if (a.length != shape.size()) {
      throw new IllegalArgumentException(
          what + " has " + a.length + " values but the run's latent shape " + shape + " needs "
              + shape.size());
    }
  }
}
