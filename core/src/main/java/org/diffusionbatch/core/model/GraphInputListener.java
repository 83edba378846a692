package org.diffusionbatch.core.model;

import ai.djl.ndarray.NDList;

/**
 * Sees the tensors each graph of a loaded model is fed, as the pipeline feeds them: used to
 * calibrate quantization on what a real run gives each graph. Called on the calling thread, before
 * the graph runs; the arrays are freed after the call, so copy what you keep.
 */
@FunctionalInterface
public interface GraphInputListener {
  /**
   * @param part "text_encoder", "unet" or "vae_decoder"
   * @param inputs the graph's inputs, each named for the graph input it feeds
   */
  void fed(String part, NDList inputs);
}
