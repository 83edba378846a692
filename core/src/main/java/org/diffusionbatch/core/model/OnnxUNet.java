package org.diffusionbatch.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;
import org.diffusionbatch.core.sampler.LatentShape;

/**
 * {@link UNet} over unet/model.onnx. Feeds {@code timestep} as the graph declares it: a float
 * scalar (current Optimum exports), or a [B] (or [1]) vector of int64 (Optimum up to 1.23) or float;
 * LCM's {@code timestep_cond} and SDXL's {@code text_embeds} and {@code time_ids} when the graph
 * takes them.
 */
final class OnnxUNet implements UNet {
  static final String SAMPLE = "sample";
  static final String TIMESTEP = "timestep";
  static final String HIDDEN = "encoder_hidden_states";
  static final String TIMESTEP_COND = "timestep_cond";
  static final String TEXT_EMBEDS = "text_embeds";
  static final String TIME_IDS = "time_ids";
  static final String OUTPUT = "out_sample";
  private static final Set<String> KNOWN_INPUTS = Set.of(SAMPLE, TIMESTEP, HIDDEN, TIMESTEP_COND, TEXT_EMBEDS, TIME_IDS);

  private final OnnxGraph graph;
  private final TensorSpec sample;
  private final TensorSpec timestep;
  private final TensorSpec hidden;
  private final TensorSpec timestepCond; // null unless LCM
  private final TensorSpec textEmbeds; // null unless SDXL
  private final TensorSpec timeIds; // null unless SDXL
  private final int hiddenSize;
  private final int timeCondDim;
  private final int pooledSize;
  private final int timeIdsSize;
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

  OnnxUNet(OnnxGraph graph, int hiddenSize, int timeCondDim, int pooledSize, int timeIdsSize) {
    this.graph = graph;
    this.sample = graph.requireInput(SAMPLE);
    this.timestep = graph.requireInput(TIMESTEP);
    this.hidden = graph.requireInput(HIDDEN);
    this.timestepCond = graph.inputs().get(TIMESTEP_COND);
    this.textEmbeds = graph.inputs().get(TEXT_EMBEDS);
    this.timeIds = graph.inputs().get(TIME_IDS);
    graph.requireOutput(OUTPUT);
    this.hiddenSize = hiddenSize;
    this.timeCondDim = timeCondDim;
    this.pooledSize = pooledSize;
    this.timeIdsSize = timeIdsSize;
    for (String name : graph.inputs().keySet()) {
      if (!KNOWN_INPUTS.contains(name)) {
        throw new ModelException("unet/model.onnx in " + graph.file().getParent().getParent() + " has an input '"
            + name + "' diffusion-batch does not know how to feed (inputs: " + graph.inputs().values()
            + "); " + ModelLayout.SUPPORTED);
      }
    }
    if (timestep.rank() > 1 || !(timestep.isFloat() || timestep.type() == DataType.INT64 || timestep.type() == DataType.INT32)) {
      throw new ModelException("unet/model.onnx input " + timestep + " is neither a float scalar nor an int64/float [batch]"
          + " vector; re-export the model with optimum-cli");
    }
  }

  @Override
  public float[] predict(float[] latents, LatentShape shape, double t, UNetConditioning c) {
    int batch = shape.batch();
    if (latents.length != shape.size()) {
      throw new IllegalArgumentException("sample has " + latents.length + " values but shape " + shape + " needs " + shape.size());
    }
    long[] sampleShape = {batch, shape.channels(), shape.height(), shape.width()};
    if (!sample.accepts(sampleShape)) {
      throw new IllegalArgumentException("unet/model.onnx takes " + sample + " but was given latents " + shape
          + (sample.fixedDim(2) != null ? "; check ModelInfo.requireLatentSize before sampling" : ""));
    }
    float[] encoderHiddenStates = c.encoderHiddenStates();
    if (encoderHiddenStates.length % ((long) batch * hiddenSize) != 0) {
      throw new IllegalArgumentException("encoder_hidden_states has " + encoderHiddenStates.length
          + " values, not a multiple of batch " + batch + " x hidden size " + hiddenSize);
    }
    long tokens = encoderHiddenStates.length / ((long) batch * hiddenSize);
    graph.checkShape(hidden, batch, tokens, hiddenSize);
    checkRows(TIMESTEP_COND, timestepCond, c.timestepCond(), batch, timeCondDim,
        "an LCM UNet's guidance embedding (LatentConsistencyModel pipelines, LCM-SDXL)");
    checkRows(TEXT_EMBEDS, textEmbeds, c.textEmbeds(), batch, pooledSize, "SDXL's pooled text embedding");
    checkRows(TIME_IDS, timeIds, c.timeIds(), batch, timeIdsSize, "SDXL's size conditioning");
    float[] out = graph.run(m -> {
      NDList in = new NDList(
          Tensors.floats(m, sample, latents, sampleShape),
          timestepArray(m, t, batch),
          hiddenArray(m, encoderHiddenStates, batch, tokens));
      if (timestepCond != null) {
        in.add(Tensors.floats(m, timestepCond, c.timestepCond(), batch, timeCondDim));
      }
      if (textEmbeds != null) {
        in.add(Tensors.floats(m, textEmbeds, c.textEmbeds(), batch, pooledSize));
        in.add(Tensors.floats(m, timeIds, c.timeIds(), batch, timeIdsSize));
      }
      return in;
    }, outputs -> Tensors.toFloats(outputs.get(OUTPUT)));
    if (out.length != latents.length) {
      throw new ModelException("unet/model.onnx returned " + out.length + " values for latents " + shape);
    }
    return out;
  }

  /** An optional input is fed exactly when the graph has it, with {@code batch} rows of {@code width}. */
  private static void checkRows(String name, TensorSpec spec, float[] values, int batch, int width, String what) {
    if (spec == null && values != null) {
      throw new IllegalArgumentException("this UNet has no " + name + " input (" + what + "); pass none");
    }
    if (spec != null && (values == null || values.length != (long) batch * width)) {
      throw new IllegalArgumentException("this UNet needs " + name + " [" + batch + ", " + width + "] (" + what + "), got "
          + (values == null ? "none" : values.length + " values"));
    }
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
