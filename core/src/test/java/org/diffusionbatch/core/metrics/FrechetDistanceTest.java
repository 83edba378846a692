package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {
  private static GaussianStatistics diagonal(double[] mean, double... variances) {
    DMatrixRMaj s = CommonOps_DDRM.diag(variances);
    return new GaussianStatistics(mean, s, GaussianStatistics.UNKNOWN_COUNT);
  }

  @Test
  void diagonalCovariancesGiveTheClosedForm() {
    // |mu1 - mu2|^2 + sum (sqrt(a) - sqrt(b))^2 = (1 + 0 + 4) + (1 + 1 + 1) = 8
    FrechetDistance.Result r = FrechetDistance.between(
        diagonal(new double[] {1, 0, 2}, 1, 4, 9), diagonal(new double[] {0, 0, 0}, 4, 1, 16));
    assertEquals(8.0, r.value(), 1e-12);
    assertFalse(r.offsetUsed());
    assertEquals(3, r.dimension());
    assertEquals(GaussianStatistics.UNKNOWN_COUNT, r.n1());
  }

  @Test
  void correlatedCovariancesGiveTheClosedFormOfCommutingMatrices() {
    // S1 = [[2,1],[1,2]] (eigenvalues 3, 1), S2 = 4 S1: Tr sqrt(S1 S2) = 2 (3 + 1) = 8,
    // so FID = 0 + 4 + 16 - 16 = 4
    DMatrixRMaj s1 = new DMatrixRMaj(new double[][] {{2, 1}, {1, 2}});
    DMatrixRMaj s2 = new DMatrixRMaj(new double[][] {{8, 4}, {4, 8}});
    FrechetDistance.Result r = FrechetDistance.between(new GaussianStatistics(new double[2], s1, 10),
        new GaussianStatistics(new double[2], s2, 12));
    assertEquals(4.0, r.value(), 1e-12);
    assertEquals(10, r.n1());
    assertEquals(12, r.n2());
  }

  @Test
  void identicalStatisticsAreAtDistanceZero() {
    float[] x = FeatureStatisticsTest.features(11, 400, 24);
    FeatureStatistics s = FeatureStatistics.of(x, 400, 24);
    assertEquals(0.0, FrechetDistance.between(s, s).value(), 1e-9);
  }

  @Test
  void bothCovariancesSingularUseTheEigendecompositionAndStayFinite() {
    // n < d on both sides: neither covariance has a Cholesky factor.
    float[] a = FeatureStatisticsTest.features(12, 6, 10);
    float[] b = FeatureStatisticsTest.features(13, 7, 10);
    FrechetDistance.Result r =
        FrechetDistance.between(FeatureStatistics.of(a, 6, 10), FeatureStatistics.of(b, 7, 10));
    assertTrue(Double.isFinite(r.value()) && r.value() > 0, "FID " + r.value());
    assertFalse(r.offsetUsed());
  }

  @Test
  void decoupledZeroVarianceFeaturesNeedNoOffset() {
    // Feature 1 constant in the first set, feature 0 in the second, but S1 S2 is diagonal: scipy's
    // sqrtm succeeds, so pytorch-fid adds no offset: 1 + (1 - 0)^2 + (0 - 1)^2 + (2 - 3)^2 = 4.
    FrechetDistance.Result r = FrechetDistance.between(
        diagonal(new double[] {1, 0, 0}, 1, 0, 4), diagonal(new double[] {0, 0, 0}, 0, 1, 9));
    assertFalse(r.offsetUsed());
    assertEquals(4.0, r.value(), 1e-12);
  }

  @Test
  void differentDimensionsAreRefusedNamingBoth() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(
        diagonal(new double[3], 1, 1, 1), diagonal(new double[2], 1, 1)));
    assertTrue(e.getMessage().contains("dimension 3") && e.getMessage().contains("dimension 2"), e.getMessage());
  }

  @Test
  void nonFiniteStatisticsAreRefusedWithACount() {
    DMatrixRMaj s = CommonOps_DDRM.diag(1, Double.NaN, Double.POSITIVE_INFINITY);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(
        new GaussianStatistics(new double[3], s, 5), diagonal(new double[3], 1, 1, 1)));
    assertTrue(e.getMessage().contains("first statistics hold 2 non-finite"), e.getMessage());
  }
}
