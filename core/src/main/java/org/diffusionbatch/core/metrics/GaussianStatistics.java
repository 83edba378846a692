package org.diffusionbatch.core.metrics;

import org.ejml.data.DMatrixRMaj;

/**
 * The mean and covariance of a set of feature vectors: what FID compares and what pytorch-fid /
 * clean-fid store as {@code mu} and {@code sigma} in a {@code .npz} file.
 *
 * @param mean the mean over rows, length d
 * @param covariance the d x d covariance with ddof 1 (as {@code np.cov}), symmetric
 * @param count how many rows the statistics came from, or {@link #UNKNOWN_COUNT} when they were
 *     read from a file that does not say (the {@code .npz} format has no count)
 */
public record GaussianStatistics(double[] mean, DMatrixRMaj covariance, long count) {
  public static final long UNKNOWN_COUNT = -1;

  public GaussianStatistics {
    if (mean == null || covariance == null) {
      throw new IllegalArgumentException("statistics need both a mean and a covariance");
    }
    if (covariance.numRows != covariance.numCols || covariance.numRows != mean.length) {
      throw new IllegalArgumentException("mean has " + mean.length + " entries but the covariance is "
          + covariance.numRows + "x" + covariance.numCols + "; both must have the feature dimension");
    }
    if (count < UNKNOWN_COUNT) {
      throw new IllegalArgumentException("row count " + count + " is negative");
    }
  }

  public int dimension() {
    return mean.length;
  }
}
