package org.diffusionbatch.jobs.generate;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.storage.RDDInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A test probe, given to a run with {@code --conf spark.extraListeners=}{@link #NAME}: records, for
 * each stage that ran in a job whose description names a commit ("... commit 2 of 3"), how many
 * files-reading RDDs (FileScanRDD: the prompts, the output's ids) it computed. A commit that only
 * reads the planned rows, cached on the executors, scans no files.
 */
public final class CommitFileScans extends SparkListener {
  static final String NAME = CommitFileScans.class.getName();

  /** "description: stage N scanned K" for each stage of a commit job that ran. */
  static final List<String> STAGES = new CopyOnWriteArrayList<>();
  private static final Map<Integer, String> COMMIT_OF_STAGE = new ConcurrentHashMap<>();

  static void reset() {
    STAGES.clear();
    COMMIT_OF_STAGE.clear();
  }

  @Override
  public void onJobStart(SparkListenerJobStart job) {
    String description = job.properties() == null ? null : job.properties().getProperty("spark.job.description");
    if (description != null && description.contains(": commit ")) {
      for (Object stage : CollectionConverters.asJava(job.stageIds())) {
        COMMIT_OF_STAGE.put((Integer) stage, description);
      }
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted completed) {
    String commit = COMMIT_OF_STAGE.get(completed.stageInfo().stageId());
    if (commit == null) {
      return;
    }
    long scans = CollectionConverters.asJava(completed.stageInfo().rddInfos()).stream()
        .map(RDDInfo::name).filter("FileScanRDD"::equals).count();
    STAGES.add(commit + ": stage " + completed.stageInfo().stageId() + " scanned " + scans);
  }
}
