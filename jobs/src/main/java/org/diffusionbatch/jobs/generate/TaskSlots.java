package org.diffusionbatch.jobs.generate;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;

/**
 * How many tasks the cluster runs at once, which is how many partitions a run needs so no slot
 * (core, or GPU share) waits: Spark's default parallelism (the cores of the registered executors;
 * in local mode the N of local[N]), or, where executors are still starting, what the configuration
 * asks for — executors x min(cores / spark.task.cpus, GPUs / spark.task.resource.gpu.amount) —
 * whichever is larger.
 */
final class TaskSlots {
  private TaskSlots() {}

  static int of(SparkContext sc) {
    int slots = sc.defaultParallelism();
    if (!sc.isLocal()) {
      slots = Math.max(slots, configured(sc.getConf()));
    }
    return Math.max(1, slots);
  }

  static int configured(SparkConf conf) {
    int executors;
    if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
      executors = conf.getInt("spark.dynamicAllocation.maxExecutors", Integer.MAX_VALUE);
      if (executors == Integer.MAX_VALUE) {
        executors = Math.max(conf.getInt("spark.dynamicAllocation.initialExecutors", 0),
            conf.getInt("spark.dynamicAllocation.minExecutors", 0));
      }
    } else {
      executors = conf.getInt("spark.executor.instances", 0);
    }
    int cores = conf.getInt("spark.executor.cores", 1);
    int perExecutor = Math.max(1, cores / Math.max(1, conf.getInt("spark.task.cpus", 1)));
    double taskGpus = conf.getDouble("spark.task.resource.gpu.amount", 0);
    double executorGpus = conf.getDouble("spark.executor.resource.gpu.amount", 0);
    if (taskGpus > 0 && executorGpus > 0) {
      perExecutor = Math.min(perExecutor, (int) Math.floor(executorGpus / taskGpus + 1e-9));
    }
    return Math.max(0, executors) * perExecutor;
  }
}
