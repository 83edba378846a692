package org.diffusionbatch.core.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Stable Diffusion 1.x/2.x or LCM model loaded from an Optimum ONNX export: its three graphs
 * (text encoder, UNet, VAE decoder) and what they declare. One instance serves many threads.
 */
public final class DiffusionModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DiffusionModel.class);

  private final ModelInfo info;
  private final List<OnnxGraph> graphs;
  private final TextEncoder textEncoder;
  private final UNet unet;
  private final VaeDecoder vaeDecoder;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DiffusionModel(ModelInfo info, List<OnnxGraph> graphs, TextEncoder textEncoder, UNet unet,
      VaeDecoder vaeDecoder) {
    this.info = info;
    this.graphs = graphs;
    this.textEncoder = textEncoder;
    this.unet = unet;
    this.vaeDecoder = vaeDecoder;
  }

  /** Finds the model (downloading it once if it is on S3), checks its layout, and loads the three graphs. */
  public static DiffusionModel load(ModelOptions options) {
    long start = System.nanoTime();
    ModelSource.Resolved source = ModelSource.resolve(options);
    ModelLayout layout = ModelLayout.read(source.directory());
    List<OnnxGraph> graphs = new ArrayList<>();
    try {
      OnnxGraph text = add(graphs, OnnxGraph.load(layout.directory(), "text_encoder", options));
      OnnxGraph unetGraph = add(graphs, OnnxGraph.load(layout.directory(), "unet", options));
      OnnxGraph vae = add(graphs, OnnxGraph.load(layout.directory(), "vae_decoder", options));
      String digest = source.digest() != null ? source.digest() : ModelDigest.of(layout.directory());
      ModelInfo info = ModelInfoReader.read(options.uri(), digest, layout, text, unetGraph, vae);
      DiffusionModel model = new DiffusionModel(info, List.copyOf(graphs),
          new OnnxTextEncoder(text, info.hiddenSize()), new OnnxUNet(unetGraph, info.hiddenSize(), info.timeCondDim()),
          new OnnxVaeDecoder(vae));
      LOG.info("loaded {} ({}, {}{}, digest {}) from {} in {} ms{}", options.uri(), info.pipelineClass(), info.floatType(),
          info.isQuantized() ? ", " + info.quantization() : "", digest.substring(0, 12), layout.directory(), (System.nanoTime() - start) / 1_000_000,
          source.downloaded() ? " (downloaded)" : "");
      return model;
    } catch (RuntimeException e) {
      graphs.forEach(OnnxGraph::close);
      throw e;
    }
  }

  private static OnnxGraph add(List<OnnxGraph> graphs, OnnxGraph graph) {
    graphs.add(graph);
    return graph;
  }

  public ModelInfo info() {
    return info;
  }

  public TextEncoder textEncoder() {
    return textEncoder;
  }

  public UNet unet() {
    return unet;
  }

  public VaeDecoder vaeDecoder() {
    return vaeDecoder;
  }

  /**
   * Shows every graph call's inputs to {@code listener} (null to stop), e.g. to record what the
   * pipeline feeds each graph when calibrating quantization.
   */
  public void listenToGraphInputs(GraphInputListener listener) {
    graphs.forEach(g -> g.listen(listener));
  }

  /** The graphs' declared inputs and outputs, e.g. for logging and diagnostics ("unet" → specs). */
  public Map<String, List<TensorSpec>> describeGraphs() {
    Map<String, List<TensorSpec>> out = new LinkedHashMap<>();
    for (OnnxGraph g : graphs) {
      List<TensorSpec> specs = new ArrayList<>(g.inputs().values());
      specs.addAll(g.outputs().values());
      out.put(g.part(), specs);
    }
    return out;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      graphs.forEach(OnnxGraph::close);
    }
  }
}
