package org.diffusionbatch.jobs.sweep;

import java.util.List;

/**
 * The metrics side of a sweep, on the driver: the executor-side scorer and summaries to ship, the
 * reference (loaded and checked before any work), and the cell's scores from its summaries.
 */
interface SweepScoring {

  /** Feature dimension of the feature model (and of the reference). */
  int dimension();

  ImageScorerFactory scorers();

  FeatureSummary.Factory summaries();

  /** FID, group FIDs, KID and CLIP score of a cell: the full summary and its disjoint groups' summaries. */
  CellScores score(FeatureSummary full, List<FeatureSummary> groups);

  /** The summary's statistics as a pytorch-fid / clean-fid {@code .npz} ({@code mu}, {@code sigma}). */
  byte[] statisticsNpz(FeatureSummary summary);

  /** What the manifest records of the scoring: feature model, reference, CLIP, their digests and sizes. */
  java.util.Map<String, Object> describe();
}
