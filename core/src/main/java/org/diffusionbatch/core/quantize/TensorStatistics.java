package org.diffusionbatch.core.quantize;

import java.nio.FloatBuffer;

/**
 * The values one activation took over all calibration calls: min and max, and for percentile
 * calibration a histogram over [-R, R) whose bins double in width (pairs merge exactly) whenever
 * a value beyond R arrives, so no value is ever dropped and no second pass is needed.
 */
final class TensorStatistics {
  static final int BINS = 4096; // even halves, so doubling merges whole pairs of bins

  private final boolean histogram;
  private float min = Float.POSITIVE_INFINITY;
  private float max = Float.NEGATIVE_INFINITY;
  private long count;
  private long[] bins;
  private double range; // R

  TensorStatistics(boolean histogram) {
    this.histogram = histogram;
  }

  void add(FloatBuffer values) {
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (int i = values.position(); i < values.limit(); i++) {
      float v = values.get(i);
      if (v < lo) {
        lo = v;
      }
      if (v > hi) {
        hi = v;
      }
    }
    if (!(lo <= hi)) {
      if (values.remaining() > 0) {
        throw new IllegalStateException("a calibration output has no finite value (NaN)");
      }
      return;
    }
    if (Float.isInfinite(lo) || Float.isInfinite(hi)) {
      throw new IllegalStateException("a calibration output reached infinity");
    }
    min = Math.min(min, lo);
    max = Math.max(max, hi);
    count += values.remaining();
    if (histogram) {
      addToHistogram(values, Math.max(Math.abs(lo), Math.abs(hi)));
    }
  }

  private void addToHistogram(FloatBuffer values, double absMax) {
    if (bins == null) {
      bins = new long[BINS];
      range = absMax > 0 ? absMax * 1.0001 : 1e-6;
    }
    while (absMax >= range) {
      long[] merged = new long[BINS];
      for (int i = 0; i < BINS; i++) {
        merged[(BINS / 2 + i) / 2] += bins[i];
      }
      bins = merged;
      range *= 2;
    }
    double width = 2 * range / BINS;
    for (int i = values.position(); i < values.limit(); i++) {
      int bin = (int) ((values.get(i) + range) / width);
      bins[Math.min(BINS - 1, Math.max(0, bin))]++;
    }
  }

  boolean seen() {
    return count > 0;
  }

  float min() {
    return min;
  }

  float max() {
    return max;
  }

  /**
   * The range holding {@code percentile} % of the values, clipping (100 - percentile) / 2 % at each
   * end (bin edges, within [min, max]).
   */
  float[] percentileRange(double percentile) {
    if (bins == null) {
      return new float[] {min, max};
    }
    double tail = (100.0 - percentile) / 200.0 * count;
    double width = 2 * range / BINS;
    long below = 0;
    int low = 0;
    while (low < BINS - 1 && below + bins[low] <= tail) {
      below += bins[low++];
    }
    long above = 0;
    int high = BINS - 1;
    while (high > 0 && above + bins[high] <= tail) {
      above += bins[high--];
    }
    float lowEdge = (float) (-range + low * width);
    float highEdge = (float) (-range + (high + 1) * width);
    return new float[] {Math.max(min, lowEdge), Math.min(max, highEdge)};
  }
}
