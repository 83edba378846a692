package org.diffusionbatch.core.metrics;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Kernel Inception Distance: the unbiased squared MMD between two feature sets under the
 * polynomial kernel k(x, y) = (x.y / d + 1)^3, estimated as clean-fid's {@code kernel_distance}
 * does: {@code subsets} times, draw m = min(n1, n2, maxSubsetSize) rows without replacement from
 * each set and compute
 *
 * <pre>  t = (sum_{i!=j} Kxx + sum_{i!=j} Kyy) / (m - 1) - 2 sum Kxy / m,   kid = t / m</pre>
 *
 * reported as the mean and the standard deviation (population, ddof 0, as torch-fidelity and
 * torchmetrics report it) over the subsets.
 *
 * <p>Subsets are drawn by {@link java.util.Random} seeded with {@link Options#seed()} (a partial
 * Fisher-Yates shuffle of the row indices per set and subset, the second set first as clean-fid
 * does). numpy's generator cannot be reproduced, so the subsets differ from clean-fid's; the
 * estimator is the same, and with every row in one subset the value is clean-fid's exactly. When
 * both sets have m rows every subset is the whole of both sets and one evaluation is reported
 * ({@link Result#subsets()} = 1, standard deviation 0).
 */
public final class KernelInceptionDistance {
  /** Kernel matrices up to this many entries are computed once and indexed by every subset. */
  private static final long PRECOMPUTED_KERNEL_ENTRIES = 32L << 20;
  /** Rows per block when summing kernel values of whole sets, bounding memory to BLOCK x n. */
  private static final int BLOCK_ROWS = 256;

  private KernelInceptionDistance() {}

  /**
   * @param subsets how many subsets to draw (clean-fid's {@code num_subsets}, 100)
   * @param maxSubsetSize the largest subset (clean-fid's {@code max_subset_size}, 1000)
   * @param seed seeds the subset draws
   */
  public record Options(int subsets, int maxSubsetSize, long seed) {
    /** clean-fid's defaults, seed 0. */
    public static final Options DEFAULTS = new Options(100, 1000, 0);

    public Options {
      if (subsets < 1 || maxSubsetSize < 2) {
        throw new IllegalArgumentException("KID needs at least 1 subset of at least 2 rows, got "
            + subsets + " subsets of at most " + maxSubsetSize + " rows");
      }
    }
  }

  /**
   * @param mean KID: the mean over subsets
   * @param std the standard deviation over subsets (ddof 0)
   * @param subsetSize rows per set in each subset (m)
   * @param subsets subsets evaluated
   * @param n1 rows of the first set the subsets were drawn from
   * @param n2 rows of the second set the subsets were drawn from
   */
  public record Result(double mean, double std, int subsetSize, int subsets, long n1, long n2) {}

  /** KID between the feature samples two reservoirs hold. */
  public static Result estimate(FeatureReservoir first, FeatureReservoir second, Options options) {
    checkDimensions(first.dimension(), second.dimension());
    return estimate(first.features(), first.size(), second.features(), second.size(),
        first.dimension(), options);
  }

  /**
   * clean-fid's subset estimator.
   *
   * @param first n1 x d features, row after row
   * @param second n2 x d features, row after row
   */
  public static Result estimate(float[] first, int n1, float[] second, int n2, int d, Options options) {
    return estimate(first, n1, second, n2, d, options, PRECOMPUTED_KERNEL_ENTRIES);
  }

  /** As above; kernel matrices of the whole sets are precomputed up to {@code budget} entries. */
  static Result estimate(float[] first, int n1, float[] second, int n2, int d, Options options,
      long budget) {
    DMatrixRMaj x = toMatrix(first, n1, d, "first");
    DMatrixRMaj y = toMatrix(second, n2, d, "second");
    int m = Math.min(Math.min(n1, n2), options.maxSubsetSize());
    if (m < 2) {
      throw new IllegalArgumentException("KID needs at least 2 rows in each set, got " + n1
          + " and " + n2);
    }
    if (n1 == m && n2 == m) {
      return new Result(allRows(x, y), 0, m, 1, n1, n2);
    }
    KernelSource kernels = (long) n1 * n1 + (long) n2 * n2 + (long) n1 * n2 <= budget
        ? new Precomputed(x, y) : new PerSubset(x, y);
    Random random = new Random(options.seed());
    int[] perm1 = new int[n1];
    int[] perm2 = new int[n2];
    double[] values = new double[options.subsets()];
    for (int s = 0; s < values.length; s++) {
      int[] idx2 = draw(random, perm2, m);
      int[] idx1 = draw(random, perm1, m);
      double[] sums = kernels.sums(idx1, idx2);
      double t = (sums[0] + sums[1]) / (m - 1) - sums[2] * 2 / m;
      values[s] = t / m;
    }
    double mean = 0;
    for (double v : values) {
      mean += v;
    }
    mean /= values.length;
    double var = 0;
    for (double v : values) {
      var += (v - mean) * (v - mean);
    }
    return new Result(mean, Math.sqrt(var / values.length), m, values.length, n1, n2);
  }

  /**
   * The estimator on every row at once (one subset holding both whole sets): for equal sizes
   * clean-fid's value with {@code max_subset_size >= n}; for unequal sizes the unbiased squared
   * MMD sum_{i!=j} Kxx / (n1 (n1 - 1)) + sum_{i!=j} Kyy / (n2 (n2 - 1)) - 2 mean(Kxy).
   */
  public static double allRows(float[] first, int n1, float[] second, int n2, int d) {
    DMatrixRMaj x = toMatrix(first, n1, d, "first");
    DMatrixRMaj y = toMatrix(second, n2, d, "second");
    if (n1 < 2 || n2 < 2) {
      throw new IllegalArgumentException("KID needs at least 2 rows in each set, got " + n1
          + " and " + n2);
    }
    return allRows(x, y);
  }

  private static double allRows(DMatrixRMaj x, DMatrixRMaj y) {
    long n1 = x.numRows;
    long n2 = y.numRows;
    double sxx = offDiagonalSum(x);
    double syy = offDiagonalSum(y);
    double sxy = crossSum(x, y);
    return sxx / (n1 * (n1 - 1)) + syy / (n2 * (n2 - 1)) - 2 * sxy / (n1 * n2);
  }

  /** Partial Fisher-Yates: the first m entries of a fresh random permutation of 0..n-1. */
  private static int[] draw(Random random, int[] perm, int m) {
    for (int i = 0; i < perm.length; i++) {
      perm[i] = i;
    }
    for (int i = 0; i < m; i++) {
      int j = i + random.nextInt(perm.length - i);
      int tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
    }
    return java.util.Arrays.copyOf(perm, m);
  }

  static double kernel(double dot, int d) {
    double t = dot / d + 1;
    return t * t * t;
  }

  /** Sum of k(x_i, x_j) over i != j, in row blocks. */
  private static double offDiagonalSum(DMatrixRMaj x) {
    int n = x.numRows;
    int d = x.numCols;
    double sum = 0;
    DMatrixRMaj block = new DMatrixRMaj(1, d);
    DMatrixRMaj gram = new DMatrixRMaj(1, n);
    for (int start = 0; start < n; start += BLOCK_ROWS) {
      int rows = Math.min(BLOCK_ROWS, n - start);
      block.reshape(rows, d);
      CommonOps_DDRM.extract(x, start, start + rows, 0, d, block);
      CommonOps_DDRM.multTransB(block, x, gram);
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < n; c++) {
          if (c != start + r) {
            sum += kernel(gram.data[r * n + c], d);
          }
        }
      }
    }
    return sum;
  }

  /** Sum of k(x_i, y_j) over all pairs, in row blocks. */
  private static double crossSum(DMatrixRMaj x, DMatrixRMaj y) {
    int n1 = x.numRows;
    int n2 = y.numRows;
    int d = x.numCols;
    double sum = 0;
    DMatrixRMaj block = new DMatrixRMaj(1, d);
    DMatrixRMaj gram = new DMatrixRMaj(1, n2);
    for (int start = 0; start < n1; start += BLOCK_ROWS) {
      int rows = Math.min(BLOCK_ROWS, n1 - start);
      block.reshape(rows, d);
      CommonOps_DDRM.extract(x, start, start + rows, 0, d, block);
      CommonOps_DDRM.multTransB(block, y, gram);
      for (int i = 0; i < rows * n2; i++) {
        sum += kernel(gram.data[i], d);
      }
    }
    return sum;
  }

  private static DMatrixRMaj toMatrix(float[] rowsMajor, int rows, int d, String which) {
    if (d < 1 || rows < 0 || (long) rows * d > rowsMajor.length) {
      throw new IllegalArgumentException("the " + which + " feature set: " + rows + " rows of dimension "
          + d + " need " + ((long) rows * d) + " values, the array holds " + rowsMajor.length);
    }
    DMatrixRMaj m = new DMatrixRMaj(rows, d);
    int bad = 0;
    for (int i = 0; i < rows * d; i++) {
      float v = rowsMajor[i];
      bad += Float.isFinite(v) ? 0 : 1;
      m.data[i] = v;
    }
    if (bad > 0) {
      throw new IllegalArgumentException("the " + which + " feature set holds " + bad
          + " non-finite values (NaN or infinity); exclude those rows before computing KID");
    }
    return m;
  }

  private static void checkDimensions(int first, int second) {
    if (first != second) {
      throw new IllegalArgumentException("cannot compare features of dimension " + first
          + " with features of dimension " + second + "; use the same feature model for both");
    }
  }

  /** Sums of kernel values for one subset: [sum_{a!=b} Kxx, sum_{a!=b} Kyy, sum Kxy]. */
  private interface KernelSource {
    double[] sums(int[] idx1, int[] idx2);
  }

  /** Kernel matrices of the whole sets, computed once. */
  private static final class Precomputed implements KernelSource {
    private final DMatrixRMaj kxx;
    private final DMatrixRMaj kyy;
    private final DMatrixRMaj kxy;

    Precomputed(DMatrixRMaj x, DMatrixRMaj y) {
      kxx = kernelMatrix(x, x);
      kyy = kernelMatrix(y, y);
      kxy = kernelMatrix(x, y);
    }

    @Override
    public double[] sums(int[] idx1, int[] idx2) {
      return new double[] {offDiagonal(kxx, idx1), offDiagonal(kyy, idx2), cross(kxy, idx1, idx2)};
    }

    private static double offDiagonal(DMatrixRMaj k, int[] idx) {
      double sum = 0;
      for (int a = 0; a < idx.length; a++) {
        int row = idx[a] * k.numCols;
        for (int b = 0; b < idx.length; b++) {
          if (a != b) {
            sum += k.data[row + idx[b]];
          }
        }
      }
      return sum;
    }

    private static double cross(DMatrixRMaj k, int[] idx1, int[] idx2) {
      double sum = 0;
      for (int i : idx1) {
        int row = i * k.numCols;
        for (int j : idx2) {
          sum += k.data[row + j];
        }
      }
      return sum;
    }
  }

  /** Kernel matrices of each subset, for sets too large to hold every pair in memory. */
  private static final class PerSubset implements KernelSource {
    private final DMatrixRMaj x;
    private final DMatrixRMaj y;

    PerSubset(DMatrixRMaj x, DMatrixRMaj y) {
      this.x = x;
      this.y = y;
    }

    @Override
    public double[] sums(int[] idx1, int[] idx2) {
      DMatrixRMaj xs = rows(x, idx1);
      DMatrixRMaj ys = rows(y, idx2);
      DMatrixRMaj kxx = kernelMatrix(xs, xs);
      DMatrixRMaj kyy = kernelMatrix(ys, ys);
      DMatrixRMaj kxy = kernelMatrix(xs, ys);
      int m = idx1.length;
      double sxx = 0;
      double syy = 0;
      double sxy = 0;
      for (int a = 0; a < m; a++) {
        for (int b = 0; b < m; b++) {
          if (a != b) {
            sxx += kxx.data[a * m + b];
            syy += kyy.data[a * m + b];
          }
          sxy += kxy.data[a * m + b];
        }
      }
      return new double[] {sxx, syy, sxy};
    }

    private static DMatrixRMaj rows(DMatrixRMaj from, int[] idx) {
      int d = from.numCols;
      DMatrixRMaj out = new DMatrixRMaj(idx.length, d);
      for (int r = 0; r < idx.length; r++) {
        System.arraycopy(from.data, idx[r] * d, out.data, r * d, d);
      }
      return out;
    }
  }

  private static DMatrixRMaj kernelMatrix(DMatrixRMaj a, DMatrixRMaj b) {
    DMatrixRMaj k = new DMatrixRMaj(a.numRows, b.numRows);
    CommonOps_DDRM.multTransB(a, b, k);
    int d = a.numCols;
    for (int i = 0; i < k.getNumElements(); i++) {
      k.data[i] = kernel(k.data[i], d);
    }
    return k;
  }
}
