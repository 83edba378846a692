package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelInceptionDistanceTest {
  private static final int D = 12;

  @Test
  void allRowsOfTwoTinySetsGiveTheHandComputedValue() {
    // k(x, y) = (x.y / 2 + 1)^3. Kxx off-diagonal: k((0,0),(1,1)) = 1; Kyy: k((1,0),(0,1)) = 1;
    // Kxy: 1, 1, 3.375, 3.375, mean 2.1875. KID = 1 + 1 - 2 * 2.1875 = -2.375.
    float[] x = {0, 0, 1, 1};
    float[] y = {1, 0, 0, 1};
    assertEquals(-2.375, KernelInceptionDistance.allRows(x, 2, y, 2, 2), 1e-15);
  }

  @Test
  void whenEverySubsetHoldsEveryRowOneEvaluationIsReported() {
    float[] x = FeatureStatisticsTest.features(21, 50, D);
    float[] y = FeatureStatisticsTest.features(22, 50, D);
    KernelInceptionDistance.Result r =
        KernelInceptionDistance.estimate(x, 50, y, 50, D, new KernelInceptionDistance.Options(100, 1000, 3));
    assertEquals(KernelInceptionDistance.allRows(x, 50, y, 50, D), r.mean(), 0);
    assertEquals(0, r.std());
    assertEquals(1, r.subsets());
    assertEquals(50, r.subsetSize());
  }

  @Test
  void subsetMeanEstimatesTheAllRowsValue() {
    // The subset estimator is unbiased for the all-rows U-statistic: over 100 subsets its mean
    // lies within a few standard errors of it.
    float[] x = FeatureStatisticsTest.features(23, 300, D);
    float[] y = FeatureStatisticsTest.features(24, 240, D);
    double all = KernelInceptionDistance.allRows(x, 300, y, 240, D);
    KernelInceptionDistance.Result r =
        KernelInceptionDistance.estimate(x, 300, y, 240, D, new KernelInceptionDistance.Options(100, 60, 1));
    assertEquals(60, r.subsetSize());
    assertEquals(100, r.subsets());
    assertEquals(300, r.n1());
    assertEquals(240, r.n2());
    assertTrue(r.std() > 0);
    assertTrue(Math.abs(r.mean() - all) < 4 * r.std() / Math.sqrt(100),
        "subset mean " + r.mean() + " vs all rows " + all + " (std " + r.std() + ")");
  }

  @Test
  void subsetsComeFromTheSeed() {
    float[] x = FeatureStatisticsTest.features(25, 120, D);
    float[] y = FeatureStatisticsTest.features(26, 100, D);
    var options = new KernelInceptionDistance.Options(10, 30, 42);
    KernelInceptionDistance.Result a = KernelInceptionDistance.estimate(x, 120, y, 100, D, options);
    KernelInceptionDistance.Result b = KernelInceptionDistance.estimate(x, 120, y, 100, D, options);
    KernelInceptionDistance.Result c =
        KernelInceptionDistance.estimate(x, 120, y, 100, D, new KernelInceptionDistance.Options(10, 30, 43));
    assertEquals(a, b);
    assertNotEquals(a.mean(), c.mean());
  }

  @Test
  void precomputedAndPerSubsetKernelsAgree() {
    float[] x = FeatureStatisticsTest.features(27, 90, D);
    float[] y = FeatureStatisticsTest.features(28, 70, D);
    var options = new KernelInceptionDistance.Options(8, 25, 5);
    KernelInceptionDistance.Result precomputed =
        KernelInceptionDistance.estimate(x, 90, y, 70, D, options, Long.MAX_VALUE);
    KernelInceptionDistance.Result perSubset = KernelInceptionDistance.estimate(x, 90, y, 70, D, options, 0);
    assertEquals(precomputed.mean(), perSubset.mean(), 1e-12 * Math.abs(precomputed.mean()));
    assertEquals(precomputed.std(), perSubset.std(), 1e-9 * precomputed.std());
  }

  @Test
  void reservoirsAreComparedOnTheRowsTheyHold() {
    FeatureReservoir a = new FeatureReservoir(40, D, 9);
    FeatureReservoir b = new FeatureReservoir(40, D, 9);
    float[] x = FeatureStatisticsTest.features(29, 100, D);
    float[] y = FeatureStatisticsTest.features(30, 100, D);
    for (int r = 0; r < 100; r++) {
      a.offer("a" + r, x, r * D);
      b.offer("b" + r, y, r * D);
    }
    KernelInceptionDistance.Result kid =
        KernelInceptionDistance.estimate(a, b, KernelInceptionDistance.Options.DEFAULTS);
    assertEquals(KernelInceptionDistance.allRows(a.features(), 40, b.features(), 40, D), kid.mean(), 0);
    assertEquals(40, kid.n1());
  }

  @Test
  void tooFewRowsDifferentDimensionsAndNonFiniteValuesAreRefused() {
    float[] x = FeatureStatisticsTest.features(31, 10, D);
    IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
        () -> KernelInceptionDistance.estimate(x, 10, x, 1, D, KernelInceptionDistance.Options.DEFAULTS));
    assertTrue(few.getMessage().contains("at least 2 rows in each set, got 10 and 1"), few.getMessage());
    IllegalArgumentException dims = assertThrows(IllegalArgumentException.class,
        () -> KernelInceptionDistance.estimate(new FeatureReservoir(5, 3, 0), new FeatureReservoir(5, 4, 0),
            KernelInceptionDistance.Options.DEFAULTS));
    assertTrue(dims.getMessage().contains("dimension 3") && dims.getMessage().contains("dimension 4"));
    float[] bad = x.clone();
    bad[5] = Float.NaN;
    bad[7] = Float.NEGATIVE_INFINITY;
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> KernelInceptionDistance.allRows(bad, 10, x, 10, D));
    assertTrue(nan.getMessage().contains("first feature set holds 2 non-finite"), nan.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new KernelInceptionDistance.Options(0, 1000, 0));
  }
}
