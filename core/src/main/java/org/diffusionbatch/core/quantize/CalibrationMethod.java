package org.diffusionbatch.core.quantize;

import java.util.Locale;

/** How an activation's recorded values become its quantization range. */
public enum CalibrationMethod {
  /** The smallest and largest value seen: nothing clips, outliers widen the step. */
  MINMAX,
  /** The central {@code percentile} % of the values: rare outliers clip, the step stays fine. */
  PERCENTILE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static CalibrationMethod parse(String text) {
    for (CalibrationMethod m : values()) {
      if (m.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new IllegalArgumentException("calibration method '" + text + "' is not one of minmax, percentile");
  }
}
