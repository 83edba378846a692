package org.diffusionbatch.jobs.sweep;

import java.io.Serializable;
import java.util.List;

/**
 * What a sweep keeps of a set of images instead of the images: their feature statistics (count,
 * mean, co-moments), a bounded seeded sample of feature rows for KID, and the CLIP score sums.
 * Summaries of disjoint rows merge into the summary of their union.
 */
interface FeatureSummary extends Serializable {

  /** Adds images: their row keys (which pick the seeded KID sample), features rows-major, CLIP scores (null without CLIP). */
  void add(List<String> keys, float[] features, double[] clipScores);

  /** Adds the summary of other, disjoint, images into this one. */
  void merge(FeatureSummary other);

  /** Images summarised. */
  long count();

  /** Makes empty summaries; shipped to executors. */
  interface Factory extends Serializable {
    FeatureSummary empty();
  }
}
