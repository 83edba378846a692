package org.diffusionbatch.jobs.sweep;

/** Charts and sheets are drawn without a display (drivers run on servers). */
final class Headless {
  private Headless() {}

  static void ensure() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }
}
