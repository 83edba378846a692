package org.diffusionbatch.jobs.generate;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;

/**
 * Faults and probes the tests switch on through Spark conf; all off unless set. They prove the
 * job survives what clusters do to it (a task attempt failing, an executor JVM dying) and that
 * each executor loads its model once.
 *
 * @param failOncePartition {@code diffusionbatch.test.failOncePartition}: this partition's first attempt throws after its first batch
 * @param haltOnceMarker {@code diffusionbatch.test.haltOnceMarker}: the first executor to finish a batch creates this file and halts its JVM
 * @param loadMarkerDir {@code diffusionbatch.test.loadMarkerDir}: each model load writes a line (the JVM's pid) to a file here
 */
public record TestHooks(int failOncePartition, String haltOnceMarker, String loadMarkerDir) implements Serializable {

  static TestHooks from(SparkConf conf) {
    return new TestHooks(
        conf.getInt("diffusionbatch.test.failOncePartition", -1),
        conf.get("diffusionbatch.test.haltOnceMarker", null),
        conf.get("diffusionbatch.test.loadMarkerDir", null));
  }

  /** Called after each batch a task has made. */
  void afterBatch(TaskContext task) {
    if (task == null) {
      return;
    }
    if (task.partitionId() == failOncePartition && task.attemptNumber() == 0) {
      throw new IllegalStateException("test fault: diffusionbatch.test.failOncePartition=" + failOncePartition);
    }
    if (haltOnceMarker != null) {
      try {
        Files.createFile(Path.of(haltOnceMarker));
      } catch (IOException alreadyHalted) {
        return;
      }
      Runtime.getRuntime().halt(1);
    }
  }

  /** Called when this JVM loads a model. */
  void modelLoaded() {
    if (loadMarkerDir == null) {
      return;
    }
    try {
      Files.createDirectories(Path.of(loadMarkerDir));
      Files.writeString(Path.of(loadMarkerDir, "loads.txt"), ProcessHandle.current().pid() + "\n",
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException("test probe: cannot write to " + loadMarkerDir, e);
    }
  }
}
