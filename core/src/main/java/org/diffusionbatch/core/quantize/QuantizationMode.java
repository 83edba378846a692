package org.diffusionbatch.core.quantize;

import java.util.Locale;

/** What {@code quantize} turns into INT8. */
public enum QuantizationMode {
  /** Conv/MatMul/Gemm weights only; activations stay in the exported float type. */
  WEIGHTS_INT8("weights-int8"),
  /** Weights and the activations around those ops (static QDQ, calibrated through the pipeline). */
  INT8("int8");

  private final String label;

  QuantizationMode(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static QuantizationMode parse(String text) {
    for (QuantizationMode m : values()) {
      if (m.label.equals(text.trim().toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new IllegalArgumentException("quantization mode '" + text + "' is not one of weights-int8, int8");
  }
}
