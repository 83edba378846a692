package org.diffusionbatch.jobs.generate;

import java.util.Locale;

/** {@code --device}: where a task runs the model. */
public enum Device {
  /** The GPU Spark assigned to the task (resource "gpu"), else the CPU. */
  AUTO,
  CPU,
  /** The GPU Spark assigned to the task; a task without one fails with a message naming the setting. */
  GPU;

  public static Device parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--device " + name + " is not known; use auto, cpu or gpu");
    }
  }
}
