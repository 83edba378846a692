package org.diffusionbatch.jobs.generate;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.diffusionbatch.jobs.generate.executor.GenerateMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A driver thread that logs rows done of total, images/s and ETA. Finished tasks count through the
 * run's accumulators; running tasks through the partial accumulator values their executors send
 * with each heartbeat ({@code spark.executor.heartbeatInterval}, 10 s), so the line moves while
 * long tasks run. Executors also log every batch themselves.
 */
final class ProgressReporter extends SparkListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

  private final SparkContext sc;
  private final GenerateMetrics metrics;
  private final long total;
  private final long startNanos = System.nanoTime();
  private final Map<Long, Long> runningDone = new ConcurrentHashMap<>();
  private final Set<Long> ended = ConcurrentHashMap.newKeySet();
  private final Thread thread;

  ProgressReporter(SparkContext sc, GenerateMetrics metrics, long total, Duration interval) {
    this.sc = sc;
    this.metrics = metrics;
    this.total = total;
    sc.addSparkListener(this);
    this.thread = new Thread(() -> {
      try {
        while (true) {
          Thread.sleep(interval.toMillis());
          LOG.info(line());
        }
      } catch (InterruptedException stopped) {
        Thread.currentThread().interrupt();
      }
    }, "diffusionbatch-progress");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task
        : CollectionConverters.asJava(update.accumUpdates())) {
      long taskId = (Long) task._1();
      if (ended.contains(taskId)) {
        continue;
      }
      long done = 0;
      for (AccumulableInfo info : CollectionConverters.asJava(task._4())) {
        if ((info.id() == metrics.imagesMade().id() || info.id() == metrics.rowsFailed().id()) && info.update().isDefined()) {
          done += ((Number) info.update().get()).longValue();
        }
      }
      runningDone.put(taskId, done);
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    ended.add(end.taskInfo().taskId());
    runningDone.remove(end.taskInfo().taskId());
  }

  String line() {
    long made = metrics.imagesMade().value();
    long done = made + metrics.rowsFailed().value() + runningDone.values().stream().mapToLong(Long::longValue).sum();
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double rate = done / Math.max(seconds, 1e-9);
    String eta = done == 0 || done >= total ? "-" : Duration.ofSeconds((long) ((total - done) / rate)).toString().substring(2).toLowerCase();
    return String.format("progress: %d of %d rows done (%.1f%%), %d images in finished tasks, %.2f rows/s, ETA %s",
        done, total, total == 0 ? 100.0 : 100.0 * done / total, made, rate, eta);
  }

  @Override
  public void close() {
    thread.interrupt();
    sc.removeSparkListener(this);
  }
}
