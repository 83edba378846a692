package org.diffusionbatch.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.diffusionbatch.core.sampler.LatentShape;

/**
 * {@link UNet} over unet/model.onnx. Feeds {@code timestep} as the graph declares it: a float
 * scalar (current Optimum exports), or a [B] (or [1]) vector of int64 (Optimum up to 1.23) or float.
 */
final class OnnxUNet implements UNet {
  static final String SAMPLE = "sample";
  static final String TIMESTEP = "timestep";
  static final String HIDDEN = "encoder_hidden_states";
  static final String TIMESTEP_COND = "timestep_cond";
  static final String OUTPUT = "out_sample";

  private final OnnxGraph graph;
  private final TensorSpec sample;
  private final TensorSpec timestep;
  private final TensorSpec hidden;
  private final TensorSpec timestepCond; // null unless LCM
  private final int hiddenSize;
  private final int timeCondDim;
  private final ThreadLocal<HalfCache> hiddenHalves = ThreadLocal.withInitial(HalfCache::new);

  /**
   * The last encoder_hidden_states one thread fed to a float16 UNet, and their float16 bytes. The
   * embeddings are the same at every step of a batch and are 3/4 of the values per call (SD 1.5:
   * B x 77 x 768 against B x 4 x 64 x 64), so converting them once per batch instead of once per
   * step saves most of the conversion time. The values are compared, not the array's identity, so
   * reusing or changing an array can never feed stale embeddings.
   */
  private static final class HalfCache {
    float[] values;
    ByteBuffer halves;

    ByteBuffer halvesOf(float[] embeddings) {
      if (values == null || !Arrays.equals(values, embeddings)) {
        halves = Tensors.toHalves(embeddings, halves);
        values = embeddings.clone();
      }
      return halves;
    }
  }

  OnnxUNet(OnnxGraph graph, int hiddenSize, int timeCondDim) {
    this.graph = graph;
    this.sample = graph.requireInput(SAMPLE);
    this.timestep = graph.requireInput(TIMESTEP);
    this.hidden = graph.requireInput(HIDDEN);
    this.timestepCond = graph.inputs().get(TIMESTEP_COND);
    graph.requireOutput(OUTPUT);
    this.hiddenSize = hiddenSize;
    this.timeCondDim = timeCondDim;
    if (graph.inputs().containsKey("text_embeds") || graph.inputs().containsKey("time_ids")) {
      throw new ModelException("unet/model.onnx in " + graph.file().getParent().getParent() + " takes text_embeds/time_ids:"
          + " it is an SDXL UNet, and SDXL is not supported yet; use a Stable Diffusion 1.x/2.x or LCM export");
    }
    for (String name : graph.inputs().keySet()) {
      if (!name.equals(SAMPLE) && !name.equals(TIMESTEP) && !name.equals(HIDDEN) && !name.equals(TIMESTEP_COND)) {
        throw new ModelException("unet/model.onnx in " + graph.file().getParent().getParent() + " has an input '"
            + name + "' diffusion-batch does not know how to feed (inputs: " + graph.inputs().values()
            + "); supported are SD 1.x/2.x and LCM UNets");
      }
    }
    if (timestep.rank() > 1 || !(timestep.isFloat() || timestep.type() == DataType.INT64 || timestep.type() == DataType.INT32)) {
      throw new ModelException("unet/model.onnx input " + timestep + " is neither a float scalar nor an int64/float [batch]"
          + " vector; re-export the model with optimum-cli");
    }
  }

  @Override
  public float[] predict(float[] latents, LatentShape shape, double t, float[] encoderHiddenStates, float[] cond) {
    int batch = shape.batch();
    if (latents.length != shape.size()) {
      throw new IllegalArgumentException("sample has " + latents.length + " values but shape " + shape + " needs " + shape.size());
    }
    long[] sampleShape = {batch, shape.channels(), shape.height(), shape.width()};
    if (!sample.accepts(sampleShape)) {
      throw new IllegalArgumentException("unet/model.onnx takes " + sample + " but was given latents " + shape
          + (sample.fixedDim(2) != null ? "; check ModelInfo.requireLatentSize before sampling" : ""));
    }
    if (encoderHiddenStates.length % ((long) batch * hiddenSize) != 0) {
      throw new IllegalArgumentException("encoder_hidden_states has " + encoderHiddenStates.length
          + " values, not a multiple of batch " + batch + " x hidden size " + hiddenSize);
    }
    long tokens = encoderHiddenStates.length / ((long) batch * hiddenSize);
    graph.checkShape(hidden, batch, tokens, hiddenSize);
    if (timestepCond == null && cond != null) {
      throw new IllegalArgumentException("this UNet has no timestep_cond input (not an LCM); pass null");
    }
    if (timestepCond != null && (cond == null || cond.length != batch * timeCondDim)) {
      throw new IllegalArgumentException("this LCM UNet needs timestep_cond [" + batch + ", " + timeCondDim + "], got "
          + (cond == null ? "null" : cond.length + " values"));
    }
    float[] out = graph.run(m -> {
      NDList in = new NDList(
          Tensors.floats(m, sample, latents, sampleShape),
          timestepArray(m, t, batch),
          hiddenArray(m, encoderHiddenStates, batch, tokens));
      if (timestepCond != null) {
        in.add(Tensors.floats(m, timestepCond, cond, batch, timeCondDim));
      }
      return in;
    }, outputs -> Tensors.toFloats(outputs.get(OUTPUT)));
    if (out.length != latents.length) {
      throw new ModelException("unet/model.onnx returned " + out.length + " values for latents " + shape);
    }
    return out;
  }

  private NDArray hiddenArray(NDManager m, float[] embeddings, int batch, long tokens) {
    if (hidden.type() == DataType.FLOAT16) {
      return Tensors.halves(m, hidden, hiddenHalves.get().halvesOf(embeddings), batch, tokens, hiddenSize);
    }
    return Tensors.floats(m, hidden, embeddings, batch, tokens, hiddenSize);
  }

  private NDArray timestepArray(NDManager m, double t, int batch) {
    if (timestep.rank() == 0) {
      return Tensors.floats(m, timestep, new float[] {(float) t});
    }
    int n = timestep.fixedDim(0) != null ? timestep.fixedDim(0) : batch;
    if (timestep.isFloat()) {
      float[] values = new float[n];
      Arrays.fill(values, (float) t);
      return Tensors.floats(m, timestep, values, n);
    }
    long[] values = new long[n];
    Arrays.fill(values, integerTimestep(t));
    return Tensors.integers(m, timestep, values, n);
  }

  /**
   * Integer timesteps as the older ONNX pipelines made them (numpy's cast truncates), except that a
   * value within 1e-6 of an integer is that integer, so 998.9999999 from float arithmetic is 999.
   */
  static long integerTimestep(double t) {
    long nearest = Math.round(t);
    return Math.abs(t - nearest) < 1e-6 ? nearest : (long) t;
  }
}
