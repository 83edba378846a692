package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class FeatureStatisticsTest {
  private static final int D = 37;
  private static final int ROWS = 1000;

  /** Correlated, skewed features far from 0, so that a naive sum-of-squares would lose digits. */
  static float[] features(long seed, int rows, int d) {
    Random r = new Random(seed);
    float[] mix = new float[d * d];
    for (int i = 0; i < mix.length; i++) {
      mix[i] = (float) (r.nextGaussian() / Math.sqrt(d));
    }
    float[] out = new float[rows * d];
    double[] z = new double[d];
    for (int row = 0; row < rows; row++) {
      for (int k = 0; k < d; k++) {
        z[k] = r.nextGaussian();
      }
      for (int c = 0; c < d; c++) {
        double v = 0;
        for (int k = 0; k < d; k++) {
          v += z[k] * mix[k * d + c];
        }
        out[row * d + c] = (float) (50 + Math.max(v, 0) * 3 + Math.abs(r.nextGaussian()) * 0.05);
      }
    }
    return out;
  }

  /** Two-pass mean and ddof-1 covariance, written out plainly as the independent reference. */
  static double[][] twoPass(float[] x, int rows, int d) {
    double[] mean = new double[d];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < d; c++) {
        mean[c] += x[r * d + c];
      }
    }
    for (int c = 0; c < d; c++) {
      mean[c] /= rows;
    }
    double[][] out = new double[d + 1][];
    out[0] = mean;
    for (int i = 0; i < d; i++) {
      out[i + 1] = new double[d];
      for (int j = 0; j < d; j++) {
        double s = 0;
        for (int r = 0; r < rows; r++) {
          s += (x[r * d + i] - mean[i]) * (x[r * d + j] - mean[j]);
        }
        out[i + 1][j] = s / (rows - 1);
      }
    }
    return out;
  }

  static float[] slice(float[] x, int fromRow, int toRow, int d) {
    return Arrays.copyOfRange(x, fromRow * d, toRow * d);
  }

  static double relativeToLargest(double[] got, double[] want) {
    double largest = 0;
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      largest = Math.max(largest, Math.abs(want[i]));
      worst = Math.max(worst, Math.abs(got[i] - want[i]));
    }
    return worst / largest;
  }

  static double[] flat(DMatrixRMaj m) {
    return Arrays.copyOf(m.data, m.getNumElements());
  }

  static double[] flat(double[][] rows, int from) {
    int d = rows[from].length;
    double[] out = new double[(rows.length - from) * d];
    for (int i = from; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, (i - from) * d, d);
    }
    return out;
  }

  @Test
  void onePassMatchesTheTwoPassMeanAndCovariance() {
    float[] x = features(1, ROWS, D);
    double[][] ref = twoPass(x, ROWS, D);
    FeatureStatistics s = FeatureStatistics.of(x, ROWS, D);
    assertEquals(ROWS, s.count());
    assertTrue(relativeToLargest(s.mean(), ref[0]) < 1e-13);
    assertTrue(relativeToLargest(flat(s.covariance()), flat(ref, 1)) < 1e-12);
  }

  @Test
  void fourUnevenPartitionsMergedInAnyOrderEqualOnePassTo1e12() {
    float[] x = features(2, ROWS, D);
    FeatureStatistics whole = FeatureStatistics.of(x, ROWS, D);
    int[] cuts = {0, 3, 414, 415, ROWS}; // 3, 411, 1 and 585 rows
    FeatureStatistics[] parts = new FeatureStatistics[4];
    for (int p = 0; p < 4; p++) {
      parts[p] = FeatureStatistics.of(slice(x, cuts[p], cuts[p + 1], D), cuts[p + 1] - cuts[p], D);
    }
    FeatureStatistics leftFold = copy(parts[0]).merge(parts[1]).merge(parts[2]).merge(parts[3]);
    FeatureStatistics rightFold = copy(parts[3]).merge(copy(parts[2]).merge(copy(parts[1]).merge(parts[0])));
    FeatureStatistics tree = copy(parts[0]).merge(parts[2]).merge(copy(parts[1]).merge(parts[3]));
    for (FeatureStatistics merged : new FeatureStatistics[] {leftFold, rightFold, tree}) {
      assertEquals(ROWS, merged.count());
      assertTrue(relativeToLargest(merged.mean(), whole.mean()) < 1e-12);
      double err = relativeToLargest(flat(merged.covariance()), flat(whole.covariance()));
      assertTrue(err < 1e-12, "merged covariance differs from one pass by " + err);
    }
  }

  @Test
  void batchSizeDoesNotChangeTheResult() {
    float[] x = features(3, 300, D);
    FeatureStatistics byRow = new FeatureStatistics(D);
    for (int r = 0; r < 300; r++) {
      byRow.add(slice(x, r, r + 1, D), 1);
    }
    FeatureStatistics whole = FeatureStatistics.of(x, 300, D);
    assertTrue(relativeToLargest(flat(byRow.covariance()), flat(whole.covariance())) < 1e-12);
  }

  @Test
  void groupsFedInTurnInOneThreadDoNotInterfere() {
    // The chunk workspace is shared per thread; interleaved groups must still be independent.
    float[] a = features(9, 200, D);
    float[] b = features(10, 200, 2 * D);
    FeatureStatistics ga = new FeatureStatistics(D);
    FeatureStatistics gb = new FeatureStatistics(2 * D);
    FeatureStatistics gc = new FeatureStatistics(D);
    for (int r = 0; r < 200; r += 50) {
      ga.add(slice(a, r, r + 50, D), 50);
      gb.add(slice(b, r, r + 50, 2 * D), 50);
      gc.add(slice(b, r, r + 50, D), 50);
    }
    // (batches of 50 rows round differently from chunks of 64, hence not bit-equal)
    assertTrue(relativeToLargest(flat(ga.covariance()), flat(twoPass(a, 200, D), 1)) < 1e-12);
    assertTrue(relativeToLargest(flat(gb.covariance()), flat(twoPass(b, 200, 2 * D), 1)) < 1e-12);
    float[] bAsNarrowRows = new float[200 * D];
    System.arraycopy(b, 0, bAsNarrowRows, 0, 200 * D); // gc was fed the start of b read as D-wide rows
    assertTrue(relativeToLargest(flat(gc.covariance()), flat(twoPass(bAsNarrowRows, 200, D), 1)) < 1e-12);
  }

  @Test
  void emptyPartitionsMergeAsNothing() {
    float[] x = features(4, 50, D);
    FeatureStatistics s = new FeatureStatistics(D).merge(FeatureStatistics.of(x, 50, D)).merge(new FeatureStatistics(D));
    assertEquals(50, s.count());
    assertArrayEquals(FeatureStatistics.of(x, 50, D).mean(), s.mean(), 0);
  }

  @Test
  void fewerThanTwoRowsGiveNoCovarianceAndSaySo() {
    FeatureStatistics one = FeatureStatistics.of(new float[] {1, 2, 3}, 1, 3);
    IllegalStateException e = assertThrows(IllegalStateException.class, one::covariance);
    assertTrue(e.getMessage().contains("at least 2 feature rows, got 1"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> new FeatureStatistics(3).covariance());
  }

  @Test
  void rowsWithNanOrInfinityAreExcludedAndCounted() {
    float[] x = features(5, 40, D);
    float[] dirty = x.clone();
    dirty[3 * D + 5] = Float.NaN;
    dirty[17 * D] = Float.POSITIVE_INFINITY;
    dirty[39 * D + D - 1] = Float.NEGATIVE_INFINITY;
    FeatureStatistics s = FeatureStatistics.of(dirty, 40, D);
    assertEquals(37, s.count());
    assertEquals(3, s.nonFiniteRows());
    float[] clean = new float[37 * D];
    int k = 0;
    for (int r = 0; r < 40; r++) {
      if (r != 3 && r != 17 && r != 39) {
        System.arraycopy(x, r * D, clean, k++ * D, D);
      }
    }
    FeatureStatistics expected = FeatureStatistics.of(clean, 37, D);
    assertArrayEquals(expected.mean(), s.mean(), 0);
    assertArrayEquals(flat(expected.covariance()), flat(s.covariance()), 0);
    FeatureStatistics merged = FeatureStatistics.of(dirty, 40, D).merge(s);
    assertEquals(6, merged.nonFiniteRows());
    FeatureStatistics none = FeatureStatistics.of(new float[] {Float.NaN, 1, 2, Float.NaN}, 2, 2);
    IllegalStateException e = assertThrows(IllegalStateException.class, none::covariance);
    assertTrue(e.getMessage().contains("got 0 (2 non-finite rows were excluded)"), e.getMessage());
  }

  @Test
  void mergingStatisticsOfAnotherDimensionNamesBoth() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FeatureStatistics(2048).merge(new FeatureStatistics(512)));
    assertTrue(e.getMessage().contains("512") && e.getMessage().contains("2048"), e.getMessage());
  }

  @Test
  void tooFewValuesForTheRowsAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FeatureStatistics(4).add(new float[7], 2));
    assertTrue(e.getMessage().contains("need 8 values"), e.getMessage());
  }

  @Test
  void bytesHoldTheUpperTriangleOnlyAndRoundTripExactly() {
    float[] x = features(6, 60, D);
    FeatureStatistics s = FeatureStatistics.of(x, 60, D);
    byte[] bytes = s.toBytes();
    // header 28 bytes + mean + d(d+1)/2 upper-triangle entries, 8 bytes each
    assertEquals(28 + 8 * (37 + 37 * 38 / 2), bytes.length);
    FeatureStatistics back = FeatureStatistics.fromBytes(bytes);
    assertEquals(60, back.count());
    assertArrayEquals(s.mean(), back.mean(), 0);
    assertArrayEquals(flat(s.covariance()), flat(back.covariance()), 0);
    // and it keeps accumulating as the original would
    float[] more = features(7, 10, D);
    assertArrayEquals(flat(copy(s).add(more, 10).covariance()), flat(back.add(more, 10).covariance()), 0);
    bytes[0] = 'X';
    assertThrows(IllegalArgumentException.class, () -> FeatureStatistics.fromBytes(bytes));
  }

  @Test
  void javaSerializationRoundTripsExactly() throws Exception {
    FeatureStatistics s = FeatureStatistics.of(features(8, 30, D), 30, D);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(s);
    }
    FeatureStatistics back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (FeatureStatistics) in.readObject();
    }
    assertEquals(30, back.count());
    assertArrayEquals(s.mean(), back.mean(), 0);
    assertArrayEquals(flat(s.covariance()), flat(back.covariance()), 0);
    assertTrue(bytes.size() < 8 * D * D, "serialized form should hold about half the matrix");
  }

  private static FeatureStatistics copy(FeatureStatistics s) {
    return FeatureStatistics.fromBytes(s.toBytes());
  }
}
