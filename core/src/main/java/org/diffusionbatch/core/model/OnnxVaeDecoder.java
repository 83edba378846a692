package org.diffusionbatch.core.model;

import ai.djl.ndarray.NDList;
import org.diffusionbatch.core.sampler.LatentShape;

/** {@link VaeDecoder} over vae_decoder/model.onnx: {@code latent_sample} to {@code sample}. */
final class OnnxVaeDecoder implements VaeDecoder {
  static final String INPUT = "latent_sample";
  static final String OUTPUT = "sample";

  private final OnnxGraph graph;
  private final TensorSpec input;
  private final int scaleFactor;

  /** @param scaleFactor pixels per latent cell in each direction (8 for SD and SDXL) */
  OnnxVaeDecoder(OnnxGraph graph, int scaleFactor) {
    this.graph = graph;
    this.input = graph.requireInput(INPUT);
    graph.requireOutput(OUTPUT);
    this.scaleFactor = scaleFactor;
  }

  @Override
  public float[] decode(float[] latents, LatentShape shape) {
    if (latents.length != shape.size()) {
      throw new IllegalArgumentException("latents have " + latents.length + " values but shape " + shape + " needs " + shape.size());
    }
    long[] dims = {shape.batch(), shape.channels(), shape.height(), shape.width()};
    graph.checkShape(input, dims);
    float[] image = graph.run(m -> new NDList(Tensors.floats(m, input, latents, dims)),
        outputs -> Tensors.toFloats(outputs.get(OUTPUT)));
    long expected = (long) shape.batch() * 3 * shape.height() * scaleFactor * shape.width() * scaleFactor;
    if (image.length != expected) {
      throw new ModelException("vae_decoder/model.onnx returned " + image.length + " values for latents " + shape
          + "; expected " + expected + " (3 channels, " + scaleFactor + "x the latent size, as vae_decoder/config.json"
          + " block_out_channels say)");
    }
    return image;
  }
}
