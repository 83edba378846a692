package org.diffusionbatch.core.metrics;

import java.io.Serial;
import java.io.Serializable;

/**
 * CLIP score as torchmetrics computes it ({@code torchmetrics.multimodal.CLIPScore}): per pair,
 * 100 * cos(image embedding, text embedding); the score is the mean over pairs, clamped at 0
 * ({@code max(sum / n, 0)}). torchmetrics documents the clamp per pair,
 * {@code max(100 cos, 0)}, but applies it to the mean; {@link #meanOfClampedScores()} gives the
 * documented form. The two agree whenever no pair has a negative cosine, as with real CLIP models
 * and prompts.
 *
 * <p>Embeddings are those the CLIP model's projection heads return (image_embeds, text_embeds);
 * they are normalized here, in float64. A pair with a zero-length or non-finite embedding is not
 * added and is counted in {@link #invalidPairs()}. Mergeable (sums and counts); not thread-safe.
 */
public final class ClipScore implements Serializable {
  @Serial
  private static final long serialVersionUID = 1L;

  private long count;
  private long invalidPairs;
  private double sum;
  private double clampedSum;

  /**
   * Adds one image-text pair; returns false (and counts it as invalid) when an embedding is zero or
   * not finite.
   */
  public boolean add(float[] imageEmbedding, float[] textEmbedding) {
    if (imageEmbedding.length != textEmbedding.length) {
      throw new IllegalArgumentException("image embedding has " + imageEmbedding.length
          + " values and text embedding " + textEmbedding.length + "; CLIP's two heads must project"
          + " to the same dimension");
    }
    return addPair(imageEmbedding, 0, textEmbedding, 0, imageEmbedding.length);
  }

  /**
   * Adds {@code rows} pairs: row r of {@code images} with row r of {@code texts}, each row of
   * {@code dimension} values.
   *
   * @return how many pairs were added (the others are counted as invalid)
   */
  public int addBatch(float[] images, float[] texts, int rows, int dimension) {
    long need = (long) rows * dimension;
    if (dimension < 1 || rows < 0 || images.length < need || texts.length < need) {
      throw new IllegalArgumentException(rows + " pairs of dimension " + dimension + " need "
          + need + " values per side; got " + images.length + " image and " + texts.length
          + " text values");
    }
    int added = 0;
    for (int r = 0; r < rows; r++) {
      added += addPair(images, r * dimension, texts, r * dimension, dimension) ? 1 : 0;
    }
    return added;
  }

  /** Folds {@code other} into this accumulator and returns this. */
  public ClipScore merge(ClipScore other) {
    long otherCount = other.count;
    long otherInvalid = other.invalidPairs;
    double otherSum = other.sum;
    double otherClamped = other.clampedSum;
    count += otherCount;
    invalidPairs += otherInvalid;
    sum += otherSum;
    clampedSum += otherClamped;
    return this;
  }

  /** Pairs added. */
  public long count() {
    return count;
  }

  /** Pairs refused for a zero-length or non-finite embedding. */
  public long invalidPairs() {
    return invalidPairs;
  }

  /**
   * torchmetrics' CLIP score: max(mean of 100 * cos, 0).
   *
   * @throws IllegalStateException when no pair was added
   */
  public double score() {
    requirePairs();
    return Math.max(sum / count, 0);
  }

  /** The documented per-pair form: the mean of max(100 * cos, 0). */
  public double meanOfClampedScores() {
    requirePairs();
    return clampedSum / count;
  }

  /** 100 * cos(a, b) for one pair, in float64; NaN when a vector is zero or not finite. */
  public static double pairScore(float[] a, int aOffset, float[] b, int bOffset, int dimension) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < dimension; i++) {
      double x = a[aOffset + i];
      double y = b[bOffset + i];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    if (!(na > 0) || !(nb > 0) || !Double.isFinite(dot + na + nb)) {
      return Double.NaN;
    }
    return 100 * dot / (Math.sqrt(na) * Math.sqrt(nb));
  }

  private boolean addPair(float[] a, int aOffset, float[] b, int bOffset, int dimension) {
    double s = pairScore(a, aOffset, b, bOffset, dimension);
    if (Double.isNaN(s)) {
      invalidPairs++;
      return false;
    }
    count++;
    sum += s;
    clampedSum += Math.max(s, 0);
    return true;
  }

  private void requirePairs() {
    if (count == 0) {
      throw new IllegalStateException("no image-text pairs were added"
          + (invalidPairs > 0 ? " (" + invalidPairs + " had a zero or non-finite embedding)" : ""));
    }
  }
}
