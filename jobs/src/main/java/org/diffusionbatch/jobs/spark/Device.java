package org.diffusionbatch.jobs.spark;

import java.util.Locale;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import scala.Option;

/** {@code --device}: where a task runs the model. */
public enum Device {
  /** The GPU Spark assigned to the task (resource "gpu"), else the CPU. */
  AUTO,
  CPU,
  /** The GPU Spark assigned to the task; a task without one fails with a message naming the setting. */
  GPU;

  /** The GPU Spark assigned to this task under this setting, or null for the CPU. */
  public Integer gpuOf(TaskContext task) {
    if (this == CPU) {
      return null;
    }
    Option<ResourceInformation> gpu = task == null ? Option.empty() : task.resources().get("gpu");
    if (gpu.isDefined() && gpu.get().addresses().length > 0) {
      return Integer.parseInt(gpu.get().addresses()[0]);
    }
    if (this == GPU) {
      throw new IllegalStateException("--device gpu, but Spark assigned this task no GPU; set spark.task.resource.gpu.amount=1 "
          + "and spark.executor.resource.gpu.amount (with a discovery script), or use --device auto|cpu");
    }
    return null;
  }

  public static Device parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--device " + name + " is not known; use auto, cpu or gpu");
    }
  }
}
