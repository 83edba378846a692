package org.diffusionbatch.core.sampler;

import java.util.Arrays;

/**
 * What diffusers does to a predicted x0 before using it: dynamic thresholding (Imagen; diffusers'
 * {@code _threshold_sample}) when {@code thresholding} is on, else clamping to
 * {@code clip_sample_range} when {@code clip_sample} is on, else nothing.
 */
final class SampleClipping {
  private final boolean thresholding;
  private final double ratio;
  private final double maxValue;
  private final boolean clip;
  private final float clipRange;

  private SampleClipping(
      boolean thresholding, double ratio, double maxValue, boolean clip, float clipRange) {
    this.thresholding = thresholding;
    this.ratio = ratio;
    this.maxValue = maxValue;
    this.clip = clip;
    this.clipRange = clipRange;
  }

  /** From a resolved config; {@code clip_sample} is read only where the class has it. */
  static SampleClipping fromConfig(SchedulerConfig c) {
    boolean thresholding = c.containsKey("thresholding") && c.getBoolean("thresholding");
    boolean clip = c.containsKey("clip_sample") && c.getBoolean("clip_sample");
    return new SampleClipping(
        thresholding,
        thresholding ? c.getDouble("dynamic_thresholding_ratio") : 0,
        thresholding ? c.getDouble("sample_max_value") : 0,
        clip,
        clip ? (float) c.getDouble("clip_sample_range") : 0f);
  }

  boolean isActive() {
    return thresholding || clip;
  }

  /** A scratch buffer of one batch row, needed when thresholding. */
  float[] newScratch(LatentShape shape) {
    return thresholding ? new float[shape.rowSize()] : new float[0];
  }

  /** Applies thresholding or clipping to {@code x0} in place. */
  void apply(float[] x0, LatentShape shape, float[] scratch) {
    if (thresholding) {
      threshold(x0, shape, scratch);
    } else if (clip) {
      for (int i = 0; i < x0.length; i++) {
        x0[i] = Math.max(-clipRange, Math.min(clipRange, x0[i]));
      }
    }
  }

  /** Per row: s = quantile(|x0|, ratio) clamped to [1, sample_max_value]; x0 = clamp(x0, ±s) / s. */
  private void threshold(float[] x0, LatentShape shape, float[] scratch) {
    int row = shape.rowSize();
    for (int b = 0; b < shape.batch(); b++) {
      int off = b * row;
      for (int i = 0; i < row; i++) {
        scratch[i] = Math.abs(x0[off + i]);
      }
      Arrays.sort(scratch, 0, row);
      // torch.clamp(s, min=1, max=sample_max_value): the max bound wins when below 1
      float s = (float) Math.min(Math.max(quantile(scratch, row, ratio), 1.0), maxValue);
      for (int i = 0; i < row; i++) {
        x0[off + i] = Math.max(-s, Math.min(s, x0[off + i])) / s;
      }
    }
  }

  /** torch.quantile's default 'linear' interpolation over sorted values. */
  private static double quantile(float[] sorted, int n, double q) {
    double pos = q * (n - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, n - 1);
    return sorted[lo] + (sorted[hi] - (double) sorted[lo]) * (pos - lo);
  }
}
