package org.diffusionbatch.core.sampler;

import java.util.Arrays;

/** The model returned NaN or infinity: names the step, its timestep and the batch rows hit. */
public final class NonFiniteOutputException extends RuntimeException {
  private final int step;
  private final double timestep;
  private final int[] rows;

  public NonFiniteOutputException(int step, double timestep, int[] rows) {
    super("model output is not finite (NaN or infinity) at step " + step + " (timestep "
        + timestep + ") in batch rows " + Arrays.toString(rows)
        + "; check the model export, its precision (fp16 overflow) and the guidance scale");
    this.step = step;
    this.timestep = timestep;
    this.rows = rows.clone();
  }

  /** 0-based index of the step whose model output was not finite. */
  public int step() {
    return step;
  }

  public double timestep() {
    return timestep;
  }

  /** 0-based batch rows with a non-finite value. */
  public int[] rows() {
    return rows.clone();
  }
}
