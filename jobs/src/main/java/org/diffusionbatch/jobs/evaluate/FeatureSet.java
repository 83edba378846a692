package org.diffusionbatch.jobs.evaluate;

import org.diffusionbatch.core.metrics.FeatureReservoir;
import org.diffusionbatch.core.metrics.GaussianStatistics;

/**
 * A set as FID and KID see it: its statistics always, a seeded sample of its feature vectors when
 * KID is asked for.
 *
 * @param kind what it was read from
 * @param reservoir null for a statistics file or without --kid
 * @param excluded rows left out (unreadable images, non-finite features)
 */
public record FeatureSet(String uri, Kind kind, GaussianStatistics stats, FeatureReservoir reservoir, long excluded) {

  public enum Kind { STATISTICS_FILE, FEATURE_MATRIX, IMAGES }

  /** e.g. {@code 10000 images}, {@code 500 feature rows}, {@code a statistics file (n not recorded)}. */
  public String sizeText() {
    return switch (kind) {
      case STATISTICS_FILE -> "a statistics file (n not recorded)";
      case FEATURE_MATRIX -> stats.count() + " feature rows";
      case IMAGES -> stats.count() + " images";
    } + (excluded > 0 ? ", " + excluded + " left out" : "");
  }

  /** The reference n for a table: null when a statistics file does not record it. */
  public Long count() {
    return kind == Kind.STATISTICS_FILE ? null : stats.count();
  }
}
