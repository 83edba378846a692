package org.diffusionbatch.jobs.model;

import java.io.Serializable;

/** Loads an {@link ImageMaker}; shipped to executors, so it holds only settings. */
public interface ImageMakerFactory extends Serializable {

  /** Identifies what {@link #load} returns for a device, so an executor loads each model once. */
  String key(Integer gpu);

  /** Loads the model on the given GPU address, or on the CPU when gpu is null. */
  ImageMaker load(Integer gpu);
}
