package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.sampler.DpmSolverCoefficients.Level;

/**
 * What a multistep and a singlestep DPM-Solver run share: the noise levels of the plan, the
 * history of converted model outputs the higher-order updates read, and SDE-DPM-Solver++'s noise.
 * Its buffers are allocated when the run is planned.
 */
abstract class DpmSolverRun extends SamplerRun {
  protected final DpmSolverSettings settings;
  /** N+1 levels: one per step, then the final one. */
  protected final Level[] levels;
  /** Converted model outputs, newest last; one slot per solver order. */
  protected final float[][] history;
  private final float[] rowScratch;
  private final float[] scratch;
  private final float[] noiseBuffer;

  DpmSolverRun(LatentShape shape, double[] timesteps, float[] sigmas, DpmSolverSettings settings) {
    super(shape, timesteps);
    this.settings = settings;
    this.levels = DpmSolverSettings.levels(sigmas);
    this.history = new float[settings.order][shape.size()];
    this.rowScratch = settings.clipping.newScratch(shape);
    this.scratch = settings.dataPrediction || !settings.clipping.isActive()
        ? new float[0] : new float[shape.size()];
    this.noiseBuffer = settings.algorithm.isStochastic() ? new float[shape.size()] : null;
  }

  /**
   * Converts step {@code k}'s model output into the newest history slot, reusing the buffer of
   * the oldest output it drops, and returns that slot.
   */
  protected final float[] pushOutput(int k, float[] modelOutput, float[] x) {
    float[] newest = history[0];
    System.arraycopy(history, 1, history, 0, history.length - 1);
    history[history.length - 1] = newest;
    settings.convert(modelOutput, x, levels[k], shape, newest, rowScratch, scratch);
    return newest;
  }

  /** Draws the step's noise for SDE-DPM-Solver++ (before the update, in diffusers' order). */
  protected final void drawNoise(NoiseSource noise) {
    if (noiseBuffer != null) {
      noise.fill(noiseBuffer, shape);
    }
  }

  /** Adds the drawn noise for SDE-DPM-Solver++ with the step's coefficients; else nothing. */
  protected final void addDrawnNoise(DpmSolverCoefficients c, float[] x) {
    if (noiseBuffer != null) {
      DpmSolverUpdates.addNoise(c, noiseBuffer, x);
    }
  }
}
