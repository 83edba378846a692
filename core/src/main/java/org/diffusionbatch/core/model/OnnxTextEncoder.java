package org.diffusionbatch.core.model;

import ai.djl.ndarray.NDList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link TextEncoder} over text_encoder/model.onnx (or text_encoder_2/): {@code input_ids} int64 or
 * int32 to the per-token embeddings the pipeline conditions on, and optionally a pooled output.
 */
final class OnnxTextEncoder implements TextEncoder {
  static final String INPUT = "input_ids";
  static final String LAST_HIDDEN_STATE = "last_hidden_state";
  /** CLIPTextModelWithProjection's projected pooled output (SDXL's text_encoder_2). */
  static final String TEXT_EMBEDS = "text_embeds";
  /** Optimum names the exported hidden states hidden_states.0 (embeddings) .. hidden_states.N (last layer). */
  private static final Pattern HIDDEN_STATE = Pattern.compile("hidden_states\\.(\\d+)");

  private final OnnxGraph graph;
  private final TensorSpec input;
  private final String tokensOutput;
  private final String pooledOutput;
  private final int width;
  private final int pooledWidth;

  /**
   * @param penultimate use the penultimate hidden state (SDXL's encoders) instead of last_hidden_state
   * @param pooledOutput output to return as the pooled embedding ({@link #TEXT_EMBEDS}), or null for none
   * @param width the per-token embedding width
   * @param pooledWidth the pooled embedding width (ignored without a pooled output)
   */
  OnnxTextEncoder(OnnxGraph graph, boolean penultimate, String pooledOutput, int width, int pooledWidth) {
    this.graph = graph;
    this.input = graph.requireInput(INPUT);
    this.tokensOutput = tokensOutput(graph, penultimate).name();
    this.pooledOutput = pooledOutput;
    if (pooledOutput != null) {
      graph.requireOutput(pooledOutput);
    }
    this.width = width;
    this.pooledWidth = pooledWidth;
  }

  /**
   * The output holding the per-token embeddings: {@code last_hidden_state}, or for SDXL's encoders the
   * penultimate hidden state ({@code hidden_states.{N-1}} of hidden_states.0 .. hidden_states.N), as
   * diffusers' StableDiffusionXLPipeline.encode_prompt takes {@code hidden_states[-2]}.
   */
  static TensorSpec tokensOutput(OnnxGraph graph, boolean penultimate) {
    if (!penultimate) {
      return graph.requireOutput(LAST_HIDDEN_STATE);
    }
    int last = -1;
    for (String name : graph.outputs().keySet()) {
      Matcher m = HIDDEN_STATE.matcher(name);
      if (m.matches()) {
        last = Math.max(last, Integer.parseInt(m.group(1)));
      }
    }
    if (last < 1) {
      throw new ModelException(graph.part() + "/model.onnx in " + graph.file().getParent().getParent() + " has no"
          + " hidden_states.N outputs (its outputs are " + graph.outputs().values() + "); SDXL conditions on each text"
          + " encoder's penultimate hidden state: export the model with optimum-cli export onnx, which exports"
          + " the hidden states of SDXL's text encoders");
    }
    return graph.requireOutput("hidden_states." + (last - 1));
  }

  @Override
  public TextEmbeddings encode(int[][] ids) {
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
    TextEmbeddings out = graph.run(m -> new NDList(Tensors.integers(m, input, flat, ids.length, length)),
        outputs -> new TextEmbeddings(Tensors.toFloats(outputs.get(tokensOutput)),
            pooledOutput == null ? null : Tensors.toFloats(outputs.get(pooledOutput))));
    if (out.tokens().length != (long) ids.length * length * width) {
      throw new ModelException(graph.part() + "/model.onnx returned " + out.tokens().length + " values of " + tokensOutput
          + " for " + ids.length + " x " + length + " tokens; expected width " + width);
    }
    if (out.pooled() != null && out.pooled().length != (long) ids.length * pooledWidth) {
      throw new ModelException(graph.part() + "/model.onnx returned " + out.pooled().length + " values of " + pooledOutput
          + " for " + ids.length + " rows; expected width " + pooledWidth);
    }
    return out;
  }
}
