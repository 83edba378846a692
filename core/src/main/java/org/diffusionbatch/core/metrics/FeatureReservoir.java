package org.diffusionbatch.core.metrics;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bounded sample of feature vectors for KID that merges: it keeps the {@code capacity} rows whose
 * rank is smallest (a bottom-k sample), the rank of a row being a hash of the seed and the row's
 * key (a prompt id, an image index). The sample is therefore the same whatever the partitioning
 * of the rows and the order of merges, and a uniform random sample of the distinct keys.
 *
 * <p>Rank: the first 8 bytes, big-endian and unsigned, of SHA-256(seed as 8 little-endian bytes ||
 * the key's UTF-8 bytes); ties (practically never) go to the smaller key. Python:
 * {@code int.from_bytes(hashlib.sha256(seed.to_bytes(8, 'little', signed=True) + key.encode()).digest()[:8], 'big')}.
 *
 * <p>Keys identify rows: a key offered twice is kept once (but counted twice in {@link #seen()}).
 * Vectors holding NaN or infinity are not kept and are counted in {@link #nonFiniteRows()}. Not
 * thread-safe.
 */
public final class FeatureReservoir implements Serializable {
  @Serial
  private static final long serialVersionUID = 1L;
  /** "DBFR" little-endian: the first four bytes of {@link #toBytes()}. */
  private static final int MAGIC = 0x52464244;
  private static final int FORMAT_VERSION = 1;

  private final int capacity;
  private final int dimension;
  private final long seed;
  private long seen;
  private long nonFiniteRows;
  // Not transient, so that field-by-field serializers (Spark's Kryo) copy it; Java serialization
  // goes through the compact SerializedForm instead.
  private final TreeMap<Rank, float[]> kept = new TreeMap<>();
  private transient MessageDigest sha256;

  /**
   * A row's position in the sample order: the unsigned hash, then the key. A class rather than a
   * record, since field-by-field serializers (Kryo 4, as Spark 4 ships it) cannot build records.
   */
  private static final class Rank implements Comparable<Rank>, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private final long hash;
    private final String key;

    Rank(long hash, String key) {
      this.hash = hash;
      this.key = key;
    }

    String key() {
      return key;
    }

    @Override
    public int compareTo(Rank o) {
      int c = Long.compareUnsigned(hash, o.hash);
      return c != 0 ? c : key.compareTo(o.key);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Rank r && r.hash == hash && r.key.equals(key);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(hash) * 31 + key.hashCode();
    }
  }

  /**
   * @param capacity the most rows kept (e.g. the KID subset size times a few)
   * @param dimension the feature dimension
   * @param seed chooses which rows are kept; both sets of a comparison may use the same seed
   */
  public FeatureReservoir(int capacity, int dimension, long seed) {
    if (capacity < 1 || dimension < 1) {
      throw new IllegalArgumentException("a feature reservoir needs a capacity and a dimension of at"
          + " least 1, got capacity " + capacity + " and dimension " + dimension);
    }
    this.capacity = capacity;
    this.dimension = dimension;
    this.seed = seed;
  }

  /** Offers the feature vector of the row identified by {@code key}; returns whether it is kept. */
  public boolean offer(String key, float[] vector) {
    return offer(key, vector, 0);
  }

  /** Offers a row identified by its index, as the key {@code Long.toString(index)}. */
  public boolean offer(long index, float[] vector) {
    return offer(Long.toString(index), vector, 0);
  }

  /**
   * Offers the vector at {@code offset} in {@code rowsMajor} (d values) for the row {@code key};
   * returns whether it is kept.
   */
  public boolean offer(String key, float[] rowsMajor, int offset) {
    if (key == null) {
      throw new IllegalArgumentException("a feature row needs a key (a prompt id or image index)");
    }
    if (offset < 0 || (long) offset + dimension > rowsMajor.length) {
      throw new IllegalArgumentException("a feature vector of dimension " + dimension + " at offset "
          + offset + " does not fit an array of " + rowsMajor.length + " values");
    }
    seen++;
    for (int i = offset; i < offset + dimension; i++) {
      if (!Float.isFinite(rowsMajor[i])) {
        nonFiniteRows++;
        return false;
      }
    }
    Rank rank = new Rank(hash(key), key);
    if (!admits(rank)) {
      return false;
    }
    float[] copy = new float[dimension];
    System.arraycopy(rowsMajor, offset, copy, 0, dimension);
    keep(rank, copy);
    return true;
  }

  /**
   * Folds {@code other} into this reservoir and returns this; other is not changed.
   *
   * @throws IllegalArgumentException when capacity, dimension or seed differ
   */
  public FeatureReservoir merge(FeatureReservoir other) {
    if (other.capacity != capacity || other.dimension != dimension || other.seed != seed) {
      throw new IllegalArgumentException("cannot merge a feature reservoir (capacity " + other.capacity
          + ", dimension " + other.dimension + ", seed " + other.seed + ") into one with capacity "
          + capacity + ", dimension " + dimension + ", seed " + seed);
    }
    if (other == this) {
      throw new IllegalArgumentException("a feature reservoir cannot be merged with itself");
    }
    seen += other.seen;
    nonFiniteRows += other.nonFiniteRows;
    for (Map.Entry<Rank, float[]> e : other.kept.entrySet()) {
      if (admits(e.getKey())) {
        keep(e.getKey(), e.getValue().clone());
      }
    }
    return this;
  }

  /** Rows offered, over every merged part (including non-finite and repeated ones). */
  public long seen() {
    return seen;
  }

  /** Rows refused because they held NaN or infinity, over every merged part. */
  public long nonFiniteRows() {
    return nonFiniteRows;
  }

  /** Rows kept: at most the capacity. */
  public int size() {
    return kept.size();
  }

  public int capacity() {
    return capacity;
  }

  public int dimension() {
    return dimension;
  }

  public long seed() {
    return seed;
  }

  /** The kept vectors, row after row ({@link #size()} x d), in rank order. */
  public float[] features() {
    float[] out = new float[kept.size() * dimension];
    int r = 0;
    for (float[] v : kept.values()) {
      System.arraycopy(v, 0, out, r++ * dimension, dimension);
    }
    return out;
  }

  /** The keys of the kept rows, in the order of {@link #features()}. */
  public List<String> keys() {
    List<String> out = new ArrayList<>(kept.size());
    for (Rank r : kept.keySet()) {
      out.add(r.key());
    }
    return out;
  }

  /** The rank hash of a key under a seed (see the class comment). */
  public static long rank(long seed, String key) {
    return hash(sha256(), seed, key);
  }

  /**
   * A little-endian encoding: magic "DBFR", version, capacity, dimension, seed, seen, non-finite
   * rows, row count, then per row the key (UTF-8 length and bytes) and d float32 values.
   */
  public byte[] toBytes() {
    List<byte[]> keys = new ArrayList<>(kept.size());
    long size = 4 + 4 + 4 + 4 + 8 + 8 + 8 + 4;
    for (Rank r : kept.keySet()) {
      byte[] k = r.key().getBytes(StandardCharsets.UTF_8);
      keys.add(k);
      size += 4 + k.length + 4L * dimension;
    }
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("a reservoir of " + kept.size() + " rows of dimension "
          + dimension + " is too large for one byte array");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(MAGIC).putInt(FORMAT_VERSION).putInt(capacity).putInt(dimension).putLong(seed)
        .putLong(seen).putLong(nonFiniteRows).putInt(kept.size());
    int i = 0;
    for (float[] v : kept.values()) {
      byte[] k = keys.get(i++);
      buf.putInt(k.length).put(k);
      for (float f : v) {
        buf.putFloat(f);
      }
    }
    return buf.array();
  }

  /** Reads what {@link #toBytes()} wrote. */
  public static FeatureReservoir fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    try {
      if (buf.getInt() != MAGIC) {
        throw new IllegalArgumentException("not a serialized feature reservoir (no DBFR header)");
      }
      int version = buf.getInt();
      if (version != FORMAT_VERSION) {
        throw new IllegalArgumentException("feature reservoir format version " + version
            + " is not supported (this build reads version " + FORMAT_VERSION + ")");
      }
      FeatureReservoir r = new FeatureReservoir(buf.getInt(), buf.getInt(), buf.getLong());
      r.seen = buf.getLong();
      r.nonFiniteRows = buf.getLong();
      int rows = buf.getInt();
      for (int i = 0; i < rows; i++) {
        byte[] k = new byte[buf.getInt()];
        buf.get(k);
        float[] v = new float[r.dimension];
        for (int c = 0; c < v.length; c++) {
          v[c] = buf.getFloat();
        }
        String key = new String(k, StandardCharsets.UTF_8);
        r.keep(new Rank(r.hash(key), key), v);
      }
      if (buf.hasRemaining()) {
        throw new IllegalArgumentException("serialized feature reservoir has " + buf.remaining()
            + " unexpected trailing bytes");
      }
      return r;
    } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
      throw new IllegalArgumentException("serialized feature reservoir is truncated or damaged", e);
    }
  }

  /** Java serialization writes {@link #toBytes()}. */
  @Serial
  private Object writeReplace() {
    return new SerializedForm(toBytes());
  }

  @Serial
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("feature reservoirs are read through their serialized form");
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

  private boolean admits(Rank rank) {
    if (kept.containsKey(rank)) {
      return false;
    }
    return kept.size() < capacity || rank.compareTo(kept.lastKey()) < 0;
  }

  private void keep(Rank rank, float[] vector) {
    kept.put(rank, vector);
    if (kept.size() > capacity) {
      kept.pollLastEntry();
    }
  }

  private long hash(String key) {
    if (sha256 == null) {
      sha256 = sha256();
    }
    return hash(sha256, seed, key);
  }

  private static long hash(MessageDigest digest, long seed, String key) {
    digest.reset();
    digest.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(seed).array());
    byte[] h = digest.digest(key.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(h, 0, 8).order(ByteOrder.BIG_ENDIAN).getLong();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this Java runtime has no SHA-256", e);
    }
  }
}
