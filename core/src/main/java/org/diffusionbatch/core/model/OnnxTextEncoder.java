package org.diffusionbatch.core.model;

import ai.djl.ndarray.NDList;

/** {@link TextEncoder} over text_encoder/model.onnx: {@code input_ids} int64 or int32 to {@code last_hidden_state}. */
final class OnnxTextEncoder implements TextEncoder {
  static final String INPUT = "input_ids";
  static final String OUTPUT = "last_hidden_state";

  private final OnnxGraph graph;
  private final TensorSpec input;
  private final int hiddenSize;

  OnnxTextEncoder(OnnxGraph graph, int hiddenSize) {
    this.graph = graph;
    this.input = graph.requireInput(INPUT);
    graph.requireOutput(OUTPUT);
    this.hiddenSize = hiddenSize;
  }

  @Override
  public float[] encode(int[][] ids) {
    if (ids.length == 0) {
      throw new IllegalArgumentException("text encoder called with no token rows");
    }
    int length = ids[0].length;
    long[] flat = new long[ids.length * length];
    for (int row = 0; row < ids.length; row++) {
      if (ids[row].length != length) {
        throw new IllegalArgumentException("token rows differ in length: row 0 has " + length + ", row " + row
            + " has " + ids[row].length + "; pad every prompt to the same length (77 for CLIP)");
      }
      for (int i = 0; i < length; i++) {
        flat[row * length + i] = ids[row][i];
      }
    }
    graph.checkShape(input, ids.length, length);
    float[] out = graph.run(m -> new NDList(Tensors.integers(m, input, flat, ids.length, length)),
        outputs -> Tensors.toFloats(outputs.get(OUTPUT)));
    if (out.length != (long) ids.length * length * hiddenSize) {
      throw new ModelException("text_encoder/model.onnx returned " + out.length + " values for " + ids.length + " x "
          + length + " tokens; expected hidden size " + hiddenSize);
    }
    return out;
  }
}
