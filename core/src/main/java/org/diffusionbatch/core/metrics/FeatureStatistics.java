package org.diffusionbatch.core.metrics;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.mult.VectorVectorMult_DDRM;

/**
 * Running mean and covariance of feature vectors (rows) of dimension d, in float64, that merge:
 * any split of the rows over partitions, merged in any order, gives the mean and covariance of one
 * pass to rounding (about 1e-15 relative), so Spark can aggregate it per partition and combine.
 *
 * <p>State: the row count n, the mean and the co-moment matrix M = sum (x - mean)(x - mean)^T, of
 * which only the upper triangle is kept. A batch is folded in by computing its own mean and
 * co-moment (the upper triangle of {@code A^T A} of the centred batch, {@link UpperGram}) and combining the two
 * sets with the pairwise update of Chan, Golub and LeVeque (1979):
 * {@code M = Ma + Mb + delta delta^T na nb / n}, {@code mean = ma + delta nb / n}, delta = mb - ma.
 * The covariance is M / (n - 1), ddof 1 as {@code np.cov}.
 *
 * <p>Rows holding NaN or infinity are not added: they are counted ({@link #nonFiniteRows()}) so the
 * caller can say how many were excluded. Not thread-safe; one instance per task.
 *
 * <p>Serialized form (Java serialization and {@link #toBytes()}): the upper triangle only,
 * d(d+1)/2 doubles plus the mean (16.8 MB at d = 2048 instead of 32 MB). Field-by-field
 * serializers such as Spark's Kryo copy the full matrix instead (the fields are not transient), so
 * they stay correct, at twice the size; register the class with Kryo's {@code JavaSerializer} to
 * get the compact form.
 */
public final class FeatureStatistics implements Serializable {
  @Serial
  private static final long serialVersionUID = 1L;
  /** "DBFS" little-endian: the first four bytes of {@link #toBytes()}. */
  private static final int MAGIC = 0x53464244;
  private static final int FORMAT_VERSION = 1;
  /** Rows folded in per matrix product; bounds the working memory to CHUNK x d doubles. */
  private static final int CHUNK_ROWS = 64;

  private final int dimension;
  private long count;
  private long nonFiniteRows;
  // Not transient, so that field-by-field serializers (Spark's Kryo) copy them; Java
  // serialization goes through the compact SerializedForm instead.
  private double[] mean;
  /** Upper triangle (row <= column) is the co-moment; the lower triangle is scratch. */
  private DMatrixRMaj comoment;
  private transient DMatrixRMaj delta;

  /**
   * Working matrices of one chunk (CHUNK x d and d x d), one set per thread rather than per
   * instance: a task holding statistics for many groups then needs one d x d matrix per group, not
   * two. Each add call uses them only while it runs, so instances sharing a thread do not interfere.
   */
  private static final ThreadLocal<Workspace> WORKSPACE = new ThreadLocal<>();

  private static final class Workspace {
    final int dimension;
    final DMatrixRMaj chunk;
    final DMatrixRMaj chunkComoment;

    Workspace(int dimension) {
      this.dimension = dimension;
      this.chunk = new DMatrixRMaj(CHUNK_ROWS, dimension);
      this.chunkComoment = new DMatrixRMaj(dimension, dimension);
    }
  }

  /** Empty statistics for feature vectors of the given dimension. */
  public FeatureStatistics(int dimension) {
    if (dimension < 1) {
      throw new IllegalArgumentException("feature dimension must be at least 1, got " + dimension);
    }
    this.dimension = dimension;
    this.mean = new double[dimension];
    this.comoment = new DMatrixRMaj(dimension, dimension);
  }

  /** Statistics of {@code rows} feature vectors stored one after another in {@code rowsMajor}. */
  public static FeatureStatistics of(float[] rowsMajor, int rows, int dimension) {
    return new FeatureStatistics(dimension).add(rowsMajor, rows);
  }

  /**
   * Adds {@code rows} feature vectors stored row after row (rows x d, C order) at the start of
   * {@code rowsMajor}. Rows with a non-finite value are skipped and counted.
   *
   * @return this
   */
  public FeatureStatistics add(float[] rowsMajor, int rows) {
    checkLength(rowsMajor.length, rows);
    Workspace ws = workspace();
    for (int start = 0; start < rows; start += CHUNK_ROWS) {
      int end = Math.min(rows, start + CHUNK_ROWS);
      ws.chunk.reshape(CHUNK_ROWS, dimension);
      double[] work = ws.chunk.data;
      int kept = 0;
      for (int r = start; r < end; r++) {
        int src = r * dimension;
        if (!finite(rowsMajor, src, dimension)) {
          nonFiniteRows++;
          continue;
        }
        int dst = kept * dimension;
        for (int c = 0; c < dimension; c++) {
          work[dst + c] = rowsMajor[src + c];
        }
        kept++;
      }
      foldChunk(ws, kept);
    }
    return this;
  }

  /** As {@link #add(float[], int)} for float64 features (pytorch-fid's activations are float64). */
  public FeatureStatistics add(double[] rowsMajor, int rows) {
    checkLength(rowsMajor.length, rows);
    Workspace ws = workspace();
    for (int start = 0; start < rows; start += CHUNK_ROWS) {
      int end = Math.min(rows, start + CHUNK_ROWS);
      ws.chunk.reshape(CHUNK_ROWS, dimension);
      int kept = 0;
      for (int r = start; r < end; r++) {
        int src = r * dimension;
        if (!finite(rowsMajor, src, dimension)) {
          nonFiniteRows++;
          continue;
        }
        System.arraycopy(rowsMajor, src, ws.chunk.data, kept * dimension, dimension);
        kept++;
      }
      foldChunk(ws, kept);
    }
    return this;
  }

  /**
   * Folds {@code other} into this object (Chan et al.'s pairwise update) and returns this; other is
   * not changed. Usable as Spark's combine function, which may modify its first argument.
   *
   * @throws IllegalArgumentException when the dimensions differ
   */
  public FeatureStatistics merge(FeatureStatistics other) {
    if (other.dimension != dimension) {
      throw new IllegalArgumentException("cannot merge feature statistics of dimension "
          + other.dimension + " into statistics of dimension " + dimension
          + "; both sides must come from the same feature model");
    }
    if (other == this) {
      other = fromBytes(toBytes()); // merging with itself would read the state it is changing
    }
    nonFiniteRows += other.nonFiniteRows;
    combine(other.count, other.mean, other.comoment);
    return this;
  }

  /** Rows added (excluding the non-finite ones), over every merged part. */
  public long count() {
    return count;
  }

  /** Rows that were not added because they held NaN or infinity, over every merged part. */
  public long nonFiniteRows() {
    return nonFiniteRows;
  }

  public int dimension() {
    return dimension;
  }

  /** The mean over rows (a copy); zeros when nothing was added. */
  public double[] mean() {
    return mean.clone();
  }

  /**
   * The covariance with ddof 1, as {@code np.cov(features, rowvar=False)}: a new symmetric d x d
   * matrix.
   *
   * @throws IllegalStateException with fewer than 2 rows
   */
  public DMatrixRMaj covariance() {
    if (count < 2) {
      throw new IllegalStateException("a covariance needs at least 2 feature rows, got " + count
          + (nonFiniteRows > 0 ? " (" + nonFiniteRows + " non-finite rows were excluded)" : ""));
    }
    DMatrixRMaj cov = new DMatrixRMaj(dimension, dimension);
    double scale = 1.0 / (count - 1);
    double[] m = comoment.data;
    double[] out = cov.data;
    for (int i = 0; i < dimension; i++) {
      for (int j = i; j < dimension; j++) {
        double v = m[i * dimension + j] * scale;
        out[i * dimension + j] = v;
        out[j * dimension + i] = v;
      }
    }
    return cov;
  }

  /** Mean, covariance and count, as FID and the stats files use them. */
  public GaussianStatistics toGaussian() {
    return new GaussianStatistics(mean(), covariance(), count);
  }

  /**
   * A compact little-endian encoding: magic "DBFS", format version, d, n, non-finite rows, the mean
   * and the upper triangle of the co-moment row by row (8 * (d + d(d+1)/2) + 28 bytes).
   */
  public byte[] toBytes() {
    long size = 28L + 8L * (dimension + packedLength(dimension));
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("statistics of dimension " + dimension
          + " are too large for one byte array (" + size + " bytes)");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(MAGIC).putInt(FORMAT_VERSION).putInt(dimension).putLong(count).putLong(nonFiniteRows);
    DoubleBuffer doubles = buf.asDoubleBuffer();
    doubles.put(mean);
    for (int i = 0; i < dimension; i++) {
      doubles.put(comoment.data, i * dimension + i, dimension - i);
    }
    return buf.array();
  }

  /** Reads what {@link #toBytes()} wrote. */
  public static FeatureStatistics fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 28 || buf.getInt() != MAGIC) {
      throw new IllegalArgumentException("not serialized feature statistics (no DBFS header)");
    }
    int version = buf.getInt();
    if (version != FORMAT_VERSION) {
      throw new IllegalArgumentException("feature statistics format version " + version
          + " is not supported (this build reads version " + FORMAT_VERSION + ")");
    }
    int dimension = buf.getInt();
    long count = buf.getLong();
    long nonFinite = buf.getLong();
    long expected = 28L + 8L * (dimension + packedLength(dimension));
    if (dimension < 1 || count < 0 || nonFinite < 0 || bytes.length != expected) {
      throw new IllegalArgumentException("serialized feature statistics are damaged: dimension "
          + dimension + ", count " + count + ", " + bytes.length + " bytes (expected " + expected + ")");
    }
    FeatureStatistics s = new FeatureStatistics(dimension);
    s.count = count;
    s.nonFiniteRows = nonFinite;
    DoubleBuffer doubles = buf.asDoubleBuffer();
    doubles.get(s.mean);
    for (int i = 0; i < dimension; i++) {
      doubles.get(s.comoment.data, i * dimension + i, dimension - i);
    }
    return s;
  }

  /** Java serialization writes {@link #toBytes()} (the upper triangle only). */
  @Serial
  private Object writeReplace() {
    return new SerializedForm(toBytes());
  }

  @Serial
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("feature statistics are read through their serialized form");
  }

  private static final class SerializedForm implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private final byte[] bytes;

    SerializedForm(byte[] bytes) {
      this.bytes = bytes;
    }

    @Serial
    private Object readResolve() {
      return fromBytes(bytes);
    }
  }

  private static long packedLength(int d) {
    return (long) d * (d + 1) / 2;
  }

  private void checkLength(int length, int rows) {
    if (rows < 0 || (long) rows * dimension > length) {
      throw new IllegalArgumentException(rows + " rows of dimension " + dimension + " need "
          + ((long) rows * dimension) + " values, the array holds " + length);
    }
  }

  private Workspace workspace() {
    Workspace ws = WORKSPACE.get();
    if (ws == null || ws.dimension != dimension) {
      ws = new Workspace(dimension);
      WORKSPACE.set(ws);
    }
    return ws;
  }

  /** Folds the first {@code rows} rows of the workspace's chunk into the running state. */
  private void foldChunk(Workspace ws, int rows) {
    if (rows == 0) {
      return;
    }
    DMatrixRMaj chunk = ws.chunk;
    chunk.reshape(rows, dimension, true);
    double[] chunkMean = new double[dimension];
    double[] data = chunk.data;
    for (int r = 0; r < rows; r++) {
      int base = r * dimension;
      for (int c = 0; c < dimension; c++) {
        chunkMean[c] += data[base + c];
      }
    }
    for (int c = 0; c < dimension; c++) {
      chunkMean[c] /= rows;
    }
    for (int r = 0; r < rows; r++) {
      int base = r * dimension;
      for (int c = 0; c < dimension; c++) {
        data[base + c] -= chunkMean[c];
      }
    }
    // Upper triangle of (centred chunk)^T (centred chunk): half the work of a full product.
    UpperGram.compute(data, rows, dimension, ws.chunkComoment.data);
    combine(rows, chunkMean, ws.chunkComoment);
  }

  /** Chan et al.'s update with a part of nb rows, mean mb and co-moment mbComoment (upper). */
  private void combine(long nb, double[] mb, DMatrixRMaj mbComoment) {
    if (nb == 0) {
      return;
    }
    if (count == 0) {
      System.arraycopy(mb, 0, mean, 0, dimension);
      copyUpper(mbComoment, comoment);
      count = nb;
      return;
    }
    long n = count + nb;
    if (delta == null) {
      delta = new DMatrixRMaj(dimension, 1);
    }
    for (int c = 0; c < dimension; c++) {
      delta.data[c] = mb[c] - mean[c];
    }
    CommonOps_DDRM.addEquals(comoment, mbComoment);
    VectorVectorMult_DDRM.addOuterProd((double) count * nb / n, delta, delta, comoment);
    double weight = (double) nb / n;
    for (int c = 0; c < dimension; c++) {
      mean[c] += delta.data[c] * weight;
    }
    count = n;
  }

  private void copyUpper(DMatrixRMaj from, DMatrixRMaj to) {
    for (int i = 0; i < dimension; i++) {
      System.arraycopy(from.data, i * dimension + i, to.data, i * dimension + i, dimension - i);
    }
  }

  private static boolean finite(float[] v, int from, int length) {
    for (int i = from; i < from + length; i++) {
      if (!Float.isFinite(v[i])) {
        return false;
      }
    }
    return true;
  }

  private static boolean finite(double[] v, int from, int length) {
    for (int i = from; i < from + length; i++) {
      if (!Double.isFinite(v[i])) {
        return false;
      }
    }
    return true;
  }
}
