package org.diffusionbatch.jobs.sweep;

import java.io.Serializable;

/** Loads the {@link ImageScorer} on an executor (once per JVM and device); holds only settings. */
interface ImageScorerFactory extends Serializable {

  /** Names what {@link #load} returns for a device, so an executor loads it once. */
  String key(Integer gpu);

  ImageScorer load(Integer gpu);
}
