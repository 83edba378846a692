package org.diffusionbatch.jobs.sweep;

import java.util.List;

/**
 * A cell's metrics against the reference.
 *
 * @param groupFids FID of each disjoint error group on its own, in group order
 * @param kidMean null when the reference has statistics only (KID needs reference features)
 * @param kidN feature rows of the cell KID used (its subset size is min(this, the reference's, --kid-subset-size))
 * @param clipScore null without --clip
 */
record CellScores(double fid, List<Double> groupFids, Double kidMean, Double kidStd, Integer kidN, Double clipScore, long clipN) {}
