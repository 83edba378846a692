package org.diffusionbatch.jobs.evaluate;

import java.io.Serializable;
import org.diffusionbatch.core.metrics.ClipScore;
import org.diffusionbatch.core.metrics.FeatureReservoir;
import org.diffusionbatch.core.metrics.FeatureStatistics;

/**
 * What one task learns about one group of images, merged across tasks by Spark: the feature
 * statistics (FID), a seeded sample of feature vectors (KID), the CLIP score sums, and what had
 * to be left out and why. Mergeable in any order; not thread-safe.
 */
public final class SetAccumulator implements Serializable {
  private final FeatureStatistics features; // null without a feature model
  private final FeatureReservoir reservoir; // null without KID
  private final ClipScore clip; // null without a CLIP model
  private long images;
  private long unreadable;
  private long withoutPrompt;

  public SetAccumulator(int featureDim, int reservoirSize, long seed, boolean clipScore) {
    this.features = featureDim > 0 ? new FeatureStatistics(featureDim) : null;
    this.reservoir = featureDim > 0 && reservoirSize > 0 ? new FeatureReservoir(reservoirSize, featureDim, seed) : null;
    this.clip = clipScore ? new ClipScore() : null;
  }

  /** An image row was read (whatever became of it). */
  void countImage() {
    images++;
  }

  /** An image could not be decoded and is left out of every metric. */
  void countUnreadable() {
    unreadable++;
  }

  /** A row had no prompt, so it has no CLIP score. */
  void countWithoutPrompt() {
    withoutPrompt++;
  }

  /**
   * Adds {@code keys.size()} feature vectors stored row after row (one matrix product for the
   * statistics); non-finite vectors are counted and left out.
   */
  public void addFeatures(float[] rowsMajor, java.util.List<String> keys) {
    features.add(rowsMajor, keys.size());
    if (reservoir != null) {
      for (int r = 0; r < keys.size(); r++) {
        reservoir.offer(keys.get(r), rowsMajor, r * features.dimension());
      }
    }
  }

  /** Adds image-prompt pairs whose embeddings are stored row after row. */
  public void addClip(float[] imageEmbeddings, float[] textEmbeddings, int rows, int dimension) {
    clip.addBatch(imageEmbeddings, textEmbeddings, rows, dimension);
  }

  public SetAccumulator merge(SetAccumulator other) {
    if (features != null) {
      features.merge(other.features);
    }
    if (reservoir != null) {
      reservoir.merge(other.reservoir);
    }
    if (clip != null) {
      clip.merge(other.clip);
    }
    images += other.images;
    unreadable += other.unreadable;
    withoutPrompt += other.withoutPrompt;
    return this;
  }

  public FeatureStatistics features() {
    return features;
  }

  public FeatureReservoir reservoir() {
    return reservoir;
  }

  public ClipScore clip() {
    return clip;
  }

  /** Rows read. */
  long images() {
    return images;
  }

  long unreadable() {
    return unreadable;
  }

  /** Images whose features were NaN or infinite, left out of FID and KID. */
  long nonFinite() {
    return features == null ? 0 : features.nonFiniteRows();
  }

  long withoutPrompt() {
    return withoutPrompt;
  }
}
