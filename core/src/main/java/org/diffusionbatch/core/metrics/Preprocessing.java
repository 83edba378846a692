package org.diffusionbatch.core.metrics;

import java.util.Locale;

/**
 * How images are brought to a feature model's input size, named as clean-fid names its modes.
 * Resizing works on the 0..255 values of each channel, before the model's value range and
 * normalisation are applied (both are linear, so the order does not change the result).
 */
public enum Preprocessing {
  /** clean-fid's {@code clean}: each channel as a float image, PIL's bicubic filter, clipped to 0..255, not quantized. */
  CLEAN("clean"),
  /** clean-fid's {@code legacy_pytorch} (and pytorch-fid's): torch's bilinear {@code F.interpolate}, align_corners false. */
  LEGACY_PYTORCH("legacy-pytorch"),
  /** No resize here: the graph takes the image at its own size (and resizes inside, if it needs to). */
  NONE("none");

  private final String label;

  Preprocessing(String label) {
    this.label = label;
  }

  /** The name used on the command line and in the sidecar, e.g. {@code legacy-pytorch}. */
  public String label() {
    return label;
  }

  /** Parses a label; underscores are accepted too ({@code legacy_pytorch}, as clean-fid spells it). */
  public static Preprocessing parse(String text) {
    String key = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (Preprocessing p : values()) {
      if (p.label.equals(key)) {
        return p;
      }
    }
    throw new IllegalArgumentException("preprocessing '" + text + "' is not known; use clean, legacy-pytorch or none");
  }

  @Override
  public String toString() {
    return label;
  }
}
