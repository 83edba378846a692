package org.diffusionbatch.core.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class TensorStatisticsTest {
  @Test
  void minMaxCoverEveryCallAndPercentileClipsTheRareOutliersAfterTheHistogramWidens() {
    TensorStatistics s = new TensorStatistics(true);
    float[] first = new float[10_000];
    for (int i = 0; i < first.length; i++) {
      first[i] = (i % 200) / 100f - 1f; // -1 .. 0.99, 50 of each value
    }
    s.add(FloatBuffer.wrap(first));
    s.add(FloatBuffer.wrap(new float[] {-40f, 300f})); // widens the histogram 512-fold (1.0001 -> 512.05)
    assertEquals(-40f, s.min());
    assertEquals(300f, s.max());
    // 99.9 % keeps all but 0.05 % (5 values) at each end: the outliers go, the bulk stays to a bin (1024/4096 = 0.25).
    float[] range = s.percentileRange(99.9);
    assertArrayEquals(new float[] {-1f, 1f}, range, 0.26f);
    assertArrayEquals(new float[] {-40f, 300f}, s.percentileRange(100), 0f);
  }

  @Test
  void asymmetricRangesIncludeZeroAndSymmetricOnesHaveZeroPointZero() {
    ActivationQuant asym = ActivationQuant.of(0.5f, 2.55f, 0.5f, 2.55f, false);
    assertEquals(0.01f, asym.scale(), 1e-7f); // range [0, 2.55]: zero is kept exact
    assertEquals(-128, asym.zeroPoint());
    ActivationQuant mixed = ActivationQuant.of(-1f, 3f, -1f, 3f, false);
    assertEquals(4f / 255, mixed.scale(), 1e-7f);
    assertEquals(-64, mixed.zeroPoint()); // -128 + 1 / (4/255) = -64.25 -> -64
    ActivationQuant sym = ActivationQuant.of(-1f, 3f, -1f, 3f, true);
    assertEquals(3f / 127, sym.scale(), 1e-7f);
    assertEquals(0, sym.zeroPoint());
  }
}
