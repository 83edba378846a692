package org.diffusionbatch.jobs.sweep;

import java.io.Serializable;
import org.diffusionbatch.jobs.evaluate.SetAccumulator;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * The summary of consecutive chunks of one error group of a cell: what a task returns for its
 * chunk, and what the group's chunks fold into (always in chunk order, so the floating-point sums
 * come out the same on every run).
 */
final class CellPart implements Serializable {
  final int group;
  final int firstChunk;
  int lastChunk;
  final SetAccumulator summary;
  /** Kept image rows (generate's row format + the sweep's columns), in sample order. */
  final List<Row> kept;
  long made;
  long failed;
  String firstFailure;
  /** Task time, and the time inside the diffusion model (text, UNet, sampler, decode), the UNet alone, and feature models. */
  long taskNanos;
  long modelNanos;
  long unetNanos;
  long scoreNanos;

  CellPart(int group, int chunk, SetAccumulator summary) {
    this.group = group;
    this.firstChunk = chunk;
    this.lastChunk = chunk;
    this.summary = summary;
    this.kept = new ArrayList<>();
  }

  /** Folds the next chunk (or chunks) of the same group into this part. */
  CellPart absorb(CellPart next) {
    if (next.group != group || next.firstChunk != lastChunk + 1) {
      throw new IllegalStateException("cell parts merged out of order: group " + group + " chunks " + firstChunk + ".." + lastChunk
          + " then group " + next.group + " chunk " + next.firstChunk);
    }
    lastChunk = next.lastChunk;
    summary.merge(next.summary);
    kept.addAll(next.kept);
    made += next.made;
    failed += next.failed;
    if (firstFailure == null) {
      firstFailure = next.firstFailure;
    }
    taskNanos += next.taskNanos;
    modelNanos += next.modelNanos;
    unetNanos += next.unetNanos;
    scoreNanos += next.scoreNanos;
    return this;
  }
}
