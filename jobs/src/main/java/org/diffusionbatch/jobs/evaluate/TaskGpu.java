package org.diffusionbatch.jobs.evaluate;

import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.diffusionbatch.jobs.spark.Device;
import scala.Option;

/** The device a task runs its models on, per {@code --device}: the GPU Spark assigned to the task, or the CPU. */
final class TaskGpu {
  private TaskGpu() {}

  /** The GPU index, or null for the CPU. */
  static Integer of(TaskContext task, Device device) {
    if (device == Device.CPU) {
      return null;
    }
    Option<ResourceInformation> gpu = task == null ? Option.empty() : task.resources().get("gpu");
    if (gpu.isDefined() && gpu.get().addresses().length > 0) {
      return Integer.parseInt(gpu.get().addresses()[0]);
    }
    if (device == Device.GPU) {
      throw new IllegalStateException("--device gpu, but Spark assigned this task no GPU; set spark.task.resource.gpu.amount=1"
          + " and spark.executor.resource.gpu.amount (with a discovery script), or use --device auto|cpu");
    }
    return null;
  }
}
