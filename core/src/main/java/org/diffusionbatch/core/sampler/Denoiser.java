package org.diffusionbatch.core.sampler;

/**
 * The model as a sampler sees it: one call per step, already combined for classifier-free
 * guidance. Returns what the model predicts (epsilon, v or x0, per the config's prediction_type).
 */
@FunctionalInterface
public interface Denoiser {
  /**
   * @param modelInput the scaled model input for this step, [B, C, H, W]
   * @param step index of the step, 0-based
   * @param timestep the timestep the model is given at this step
   * @param out where to write the prediction, same shape as modelInput
   */
  void predict(float[] modelInput, int step, double timestep, float[] out);
}
