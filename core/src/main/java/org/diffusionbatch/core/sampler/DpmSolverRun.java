package org.diffusionbatch.core.sampler;

/**
 * What a multistep and a singlestep DPM-Solver run share: the noise levels of the plan, the
 * converted model outputs the higher-order updates read (newest last, one slot per solver order),
 * and SDE-DPM-Solver++'s noise. Its buffers are allocated when the run is planned.
 */
abstract class DpmSolverRun extends SamplerRun {
  protected final DpmSolverSettings settings;
  /** N+1 levels: one per step, then the final one. */
  protected final NoiseLevel[] levels;
  private final float[][] outputs;
  private final float[] rowScratch;
  private final float[] x0Scratch;
  private final float[] noise;

  DpmSolverRun(LatentShape shape, double[] timesteps, float[] sigmas, DpmSolverSettings settings) {
    super(shape, timesteps);
    this.settings = settings;
    this.levels = NoiseLevel.ofKarrasSigmas(sigmas);
    this.outputs = new float[settings.order][shape.size()];
    this.rowScratch = settings.clipping.newScratch(shape);
    this.x0Scratch = settings.algorithm.predictsData() || !settings.clipping.isActive()
        ? new float[0] : new float[shape.size()];
    this.noise = settings.algorithm.isStochastic() ? new float[shape.size()] : null;
  }

  /**
   * Converts step {@code k}'s model output (diffusers' {@code convert_model_output}) into the
   * newest slot, dropping the oldest, and returns it: m0.
   */
  protected final float[] pushModelOutput(int k, float[] modelOutput, float[] x) {
    float[] newest = outputs[0];
    System.arraycopy(outputs, 1, outputs, 0, outputs.length - 1);
    outputs[outputs.length - 1] = newest;
    convertModelOutput(modelOutput, x, levels[k], newest);
    return newest;
  }

  /** The converted output {@code age} steps back: m1 for 1, m2 for 2. */
  protected final float[] previousOutput(int age) {
    return outputs[outputs.length - 1 - age];
  }

  /**
   * diffusers' {@code convert_model_output}: DPM-Solver++ integrates the data prediction x0
   * (thresholded when configured), DPM-Solver the noise prediction ε (thresholded through x0).
   */
  private void convertModelOutput(float[] modelOutput, float[] x, NoiseLevel s, float[] out) {
    PredictionType prediction = settings.prediction;
    SampleClipping clipping = settings.clipping;
    if (settings.algorithm.predictsData()) {
      prediction.toX0(modelOutput, x, s.alpha(), s.sigma(), out);
      clipping.apply(out, shape, rowScratch);
      return;
    }
    prediction.toEpsilon(modelOutput, x, s.alpha(), s.sigma(), out);
    if (clipping.isActive()) {
      float alpha = s.alpha();
      float sigma = s.sigma();
      for (int i = 0; i < out.length; i++) {
        x0Scratch[i] = (x[i] - sigma * out[i]) / alpha;
      }
      clipping.apply(x0Scratch, shape, rowScratch);
      for (int i = 0; i < out.length; i++) {
        out[i] = (x[i] - alpha * x0Scratch[i]) / sigma;
      }
    }
  }

  /**
   * Draws the step's fresh noise z for SDE-DPM-Solver++ (before the update, in diffusers' order)
   * and returns it; null for the ODE solvers, which draw none.
   */
  protected final float[] drawNoise(NoiseSource source) {
    if (noise != null) {
      source.fill(noise, shape);
    }
    return noise;
  }
}
