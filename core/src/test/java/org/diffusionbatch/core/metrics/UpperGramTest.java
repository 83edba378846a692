package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.mult.MatrixMultProduct_DDRM;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The blocked A^T A upper triangle equals EJML's inner_reorder_upper bit for bit, for shapes around every block edge. */
class UpperGramTest {

  @ParameterizedTest(name = "{0} rows x {1} columns")
  @CsvSource({"1,1", "1,7", "3,4", "64,5", "64,255", "64,256", "64,257", "17,515", "64,2048", "2,1029"})
  void upperTriangleEqualsEjmlsAndLowerTriangleIsUntouched(int rows, int d) {
    Random random = new Random(31L * rows + d);
    DMatrixRMaj a = new DMatrixRMaj(rows, d);
    for (int i = 0; i < a.data.length; i++) {
      a.data[i] = random.nextGaussian() * (1 + i % 7);
    }
    DMatrixRMaj reference = new DMatrixRMaj(d, d);
    MatrixMultProduct_DDRM.inner_reorder_upper(a, reference);

    double[] c = new double[d * d];
    java.util.Arrays.fill(c, -123.0); // stale values, as in a reused workspace
    UpperGram.compute(a.data, rows, d, c);

    for (int i = 0; i < d; i++) {
      double[] expected = java.util.Arrays.copyOfRange(reference.data, i * d + i, (i + 1) * d);
      double[] actual = java.util.Arrays.copyOfRange(c, i * d + i, (i + 1) * d);
      assertArrayEquals(expected, actual, 0.0, "row " + i);
      for (int j = 0; j < i; j++) {
        assertEquals(-123.0, c[i * d + j], "lower triangle (" + i + "," + j + ") is left alone");
      }
    }
  }
}
