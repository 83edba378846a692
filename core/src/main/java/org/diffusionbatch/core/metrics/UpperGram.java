package org.diffusionbatch.core.metrics;

import java.util.Arrays;

/**
 * The upper triangle of {@code A^T A} for a short, wide row-major A (a chunk of feature vectors):
 * BLAS's {@code dsyrk}, which EJML lacks. EJML's {@code MatrixMultProduct_DDRM.inner_reorder_upper}
 * gives the same numbers but streams all of A once per output row, so at 2048-d it waits on memory
 * (measured: about 3 G multiply-adds/s, see docs/metrics.md). Here four output rows share each read
 * of A, over column blocks small enough that the rows being updated stay in L1 and the block of A in L2.
 * Summation order per element is the same as EJML's (over the chunk's rows in order), so the two
 * agree to the last bit; {@code UpperGramTest} checks that against EJML.
 */
final class UpperGram {
  private static final int ROWS_AT_ONCE = 4;
  private static final int COLUMN_BLOCK = 256;

  private UpperGram() {}

  /**
   * Writes the upper triangle (diagonal included) of {@code A^T A} into {@code c} (d x d, row-major);
   * the strict lower triangle is left as it was. A is {@code rows} x d, row-major.
   */
  static void compute(double[] a, int rows, int d, double[] c) {
    for (int i = 0; i < d; i++) {
      Arrays.fill(c, i * d + i, (i + 1) * d, 0.0);
    }
    for (int jStart = 0; jStart < d; jStart += COLUMN_BLOCK) {
      int jEnd = Math.min(d, jStart + COLUMN_BLOCK);
      // Output rows i < jEnd have elements in this block (j >= i).
      int i = 0;
      for (; i + ROWS_AT_ONCE <= jEnd; i += ROWS_AT_ONCE) {
        fourRows(a, rows, d, c, i, jStart, jEnd);
      }
      for (; i < jEnd; i++) {
        oneRow(a, rows, d, c, i, Math.max(i, jStart), jEnd);
      }
    }
  }

  /** Rows i..i+3 over columns [jStart, jEnd), each from its own diagonal on. */
  private static void fourRows(double[] a, int rows, int d, double[] c, int i, int jStart, int jEnd) {
    // The triangle's corner inside the block, row by row; then all four rows together.
    int from = Math.max(jStart, i + ROWS_AT_ONCE);
    for (int r = 0; r < ROWS_AT_ONCE; r++) {
      int row = i + r;
      int start = Math.max(jStart, row);
      int end = Math.min(jEnd, from);
      if (start < end) {
        oneRow(a, rows, d, c, row, start, end);
      }
    }
    if (from >= jEnd) {
      return;
    }
    int c0 = i * d;
    int c1 = c0 + d;
    int c2 = c1 + d;
    int c3 = c2 + d;
    int k = 0;
    // Four rows of A per pass: a quarter of the loads and stores of C per multiply-add. Java adds
    // left to right, so c + p + q is (c + p) + q: the same order, and result, as one row per pass.
    for (; k + 4 <= rows; k += 4) {
      int p = k * d;
      int q = p + d;
      int r = q + d;
      int s = r + d;
      double p0 = a[p + i], p1 = a[p + i + 1], p2 = a[p + i + 2], p3 = a[p + i + 3];
      double q0 = a[q + i], q1 = a[q + i + 1], q2 = a[q + i + 2], q3 = a[q + i + 3];
      double r0 = a[r + i], r1 = a[r + i + 1], r2 = a[r + i + 2], r3 = a[r + i + 3];
      double s0 = a[s + i], s1 = a[s + i + 1], s2 = a[s + i + 2], s3 = a[s + i + 3];
      for (int j = from; j < jEnd; j++) {
        double w = a[p + j];
        double x = a[q + j];
        double y = a[r + j];
        double z = a[s + j];
        c[c0 + j] = c[c0 + j] + p0 * w + q0 * x + r0 * y + s0 * z;
        c[c1 + j] = c[c1 + j] + p1 * w + q1 * x + r1 * y + s1 * z;
        c[c2 + j] = c[c2 + j] + p2 * w + q2 * x + r2 * y + s2 * z;
        c[c3 + j] = c[c3 + j] + p3 * w + q3 * x + r3 * y + s3 * z;
      }
    }
    for (; k < rows; k++) {
      int base = k * d;
      double a0 = a[base + i];
      double a1 = a[base + i + 1];
      double a2 = a[base + i + 2];
      double a3 = a[base + i + 3];
      for (int j = from; j < jEnd; j++) {
        double x = a[base + j];
        c[c0 + j] += a0 * x;
        c[c1 + j] += a1 * x;
        c[c2 + j] += a2 * x;
        c[c3 + j] += a3 * x;
      }
    }
  }

  private static void oneRow(double[] a, int rows, int d, double[] c, int i, int jStart, int jEnd) {
    int ci = i * d;
    for (int k = 0; k < rows; k++) {
      int base = k * d;
      double ai = a[base + i];
      for (int j = jStart; j < jEnd; j++) {
        c[ci + j] += ai * a[base + j];
      }
    }
  }
}
