package org.diffusionbatch.jobs.sweep;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.jobs.evaluate.SetAccumulator;

/**
 * Saves a finished cell under the output: statistics (.npz) of the cell and of each error group,
 * the kept images, the contact sheet, and last the metrics row, whose presence marks the cell done
 * (a cell interrupted before it is made again by --resume, overwriting its partial files).
 */
final class CellStore {
  private CellStore() {}

  static String metricsFile(String cellId) {
    return "cells/" + cellId + "/metrics.json";
  }

  /** Saves the cell; returns its metrics row. */
  static MetricsRow save(SparkSession spark, SweepOutput output, MetricsScoring scoring, Cell cell, List<CellPart> groups, double seconds,
      String runId) throws IOException {
    List<SetAccumulator> groupSummaries = new ArrayList<>();
    groups.forEach(g -> groupSummaries.add(g.summary));
    for (CellPart group : groups) {
      output.write("cells/" + cell.id() + "/group-" + group.group + ".npz", MetricsScoring.statisticsNpz(group.summary));
    }
    // A fresh set with the groups folded in, in group order: the groups' own summaries stay as they are for their FIDs.
    SetAccumulator full = scoring.pass().newAccumulator();
    groupSummaries.forEach(full::merge);
    CellScores scores = scoring.score(full, groupSummaries);
    output.write("cells/" + cell.id() + "/stats.npz", MetricsScoring.statisticsNpz(full));

    List<Row> kept = new ArrayList<>();
    long made = 0;
    long failed = 0;
    long taskNanos = 0;
    long modelNanos = 0;
    long unetNanos = 0;
    long scoreNanos = 0;
    for (CellPart group : groups) {
      kept.addAll(group.kept);
      made += group.made;
      failed += group.failed;
      taskNanos += group.taskNanos;
      modelNanos += group.modelNanos;
      unetNanos += group.unetNanos;
      scoreNanos += group.scoreNanos;
    }
    kept.sort(Comparator.comparingInt(KeptImages::sampleIndex));
    if (!kept.isEmpty()) {
      spark.createDataFrame(kept, KeptImages.SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(output.keptImages(cell.id()));
      output.write("report/sheets/" + cell.id() + ".png", ContactSheet.render(cell, kept));
    }
    double perImage = Math.max(made, 1);
    MetricsRow row = new MetricsRow(cell.id(), cell.model(), cell.modelName(), cell.sampler(), cell.steps(), cell.guidance(),
        cell.guidanceRescale(), cell.optionsText(), cell.width(), cell.height(), cell.nfe(), made, failed,
        scores.fid(), MetricsRow.samplingError(scores.groupFids()), scores.groupFids(), scores.kidMean(), scores.kidStd(), scores.kidN(),
        scores.clipScore(), scores.clipN(), made / Math.max(taskNanos / 1e9, 1e-9), modelNanos / 1e9 / perImage,
        unetNanos / 1e9 / perImage, scoreNanos / 1e9 / perImage, seconds, runId);
    output.write(metricsFile(cell.id()), SweepPlan.JSON.writeValueAsBytes(row));
    return row;
  }

  static MetricsRow readMetrics(SweepOutput output, String cellId) throws IOException {
    return SweepPlan.JSON.readValue(output.read(metricsFile(cellId)), MetricsRow.class);
  }
}
