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
 * @param failOncePartition {@code diffusionbatch.test.failOncePartition}: this partition's first attempt throws after
 *     its second batch, when the first batch's rows are already with the writer
 * @param haltOnceMarker {@code diffusionbatch.test.haltOnceMarker}: the first executor to finish a batch creates this file and halts its JVM
 * @param markerDir {@code diffusionbatch.test.markerDir}: each model load appends the JVM's pid to loads.txt here,
 *     each injected task failure the partition to failures.txt
 */
public record TestHooks(int failOncePartition, String haltOnceMarker, String markerDir) implements Serializable {

  public static TestHooks from(SparkConf conf) {
    return new TestHooks(
        conf.getInt("diffusionbatch.test.failOncePartition", -1),
        conf.get("diffusionbatch.test.haltOnceMarker", null),
        conf.get("diffusionbatch.test.markerDir", null));
  }

  /** Called after each batch a task has made; batch counts from 1. */
  public void afterBatch(TaskContext task, int batch) {
    if (task == null) {
      return;
    }
    if (task.partitionId() == failOncePartition && task.attemptNumber() == 0 && batch == 2) {
      mark("failures.txt", Integer.toString(failOncePartition));
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
  public void modelLoaded() {
    mark("loads.txt", Long.toString(ProcessHandle.current().pid()));
  }

  private void mark(String file, String line) {
    if (markerDir == null) {
      return;
    }
    try {
      Files.createDirectories(Path.of(markerDir));
      Files.writeString(Path.of(markerDir, file), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException("test probe: cannot write to " + markerDir, e);
    }
  }
}
