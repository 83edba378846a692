package org.diffusionbatch.core.metrics;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;

/**
 * A numpy array read from a {@code .npy} file: its element type, its shape (C order) and its
 * values widened to float64 (exact for float32 and uint8).
 */
public record NpyArray(Npy.DType dtype, int[] shape, double[] values) {
  public NpyArray {
    long n = 1;
    for (int s : shape) {
      n *= s;
    }
    if (n != values.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
          + " values, not " + values.length);
    }
  }

  public int rank() {
    return shape.length;
  }

  /** The first dimension of a 2-D array (rows of a feature matrix). */
  public int rows() {
    requireRank(2);
    return shape[0];
  }

  /** The second dimension of a 2-D array (the feature dimension). */
  public int columns() {
    requireRank(2);
    return shape[1];
  }

  /** The values narrowed to float32, row after row. */
  public float[] toFloats() {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }

  /** A 2-D array as an EJML matrix (a copy). */
  public DMatrixRMaj toMatrix() {
    requireRank(2);
    return new DMatrixRMaj(shape[0], shape[1], true, values);
  }

  private void requireRank(int rank) {
    if (shape.length != rank) {
      throw new IllegalStateException("expected a " + rank + "-D array, this one has shape "
          + Arrays.toString(shape));
    }
  }
}
