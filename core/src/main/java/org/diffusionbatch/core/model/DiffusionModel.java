package org.diffusionbatch.core.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Stable Diffusion 1.x/2.x, SDXL or LCM model loaded from an Optimum ONNX export: its graphs
 * (text encoder, SDXL's second text encoder, UNet, VAE decoder) and what they declare. One instance
 * serves many threads.
 */
public final class DiffusionModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DiffusionModel.class);

  private final ModelInfo info;
  private final List<OnnxGraph> graphs;
  private final TextEncoder textEncoder;
  private final TextEncoder textEncoder2;
  private final UNet unet;
  private final VaeDecoder vaeDecoder;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DiffusionModel(ModelInfo info, List<OnnxGraph> graphs, TextEncoder textEncoder, TextEncoder textEncoder2,
      UNet unet, VaeDecoder vaeDecoder) {
    this.info = info;
    this.graphs = graphs;
    this.textEncoder = textEncoder;
    this.textEncoder2 = textEncoder2;
    this.unet = unet;
    this.vaeDecoder = vaeDecoder;
  }

  /** Finds the model (downloading it once if it is on S3), checks its layout, and loads its graphs. */
  public static DiffusionModel load(ModelOptions options) {
    long start = System.nanoTime();
    ModelSource.Resolved source = ModelSource.resolve(options);
    ModelLayout layout = ModelLayout.read(source.directory());
    List<OnnxGraph> graphs = new ArrayList<>();
    try {
      Path dir = layout.directory();
      OnnxGraph text = add(graphs, OnnxGraph.load(dir, "text_encoder", options));
      OnnxGraph text2 = layout.isXl() ? add(graphs, OnnxGraph.load(dir, "text_encoder_2", options)) : null;
      OnnxGraph unetGraph = add(graphs, OnnxGraph.load(dir, "unet", options));
      OnnxGraph vae = add(graphs, OnnxGraph.load(dir, "vae_decoder", options));
      String digest = source.digest() != null ? source.digest() : ModelDigest.of(dir);
      ModelInfo info = ModelInfoReader.read(options.uri(), digest, layout,
          new ModelInfoReader.Graphs(text, text2, unetGraph, vae));
      DiffusionModel model = new DiffusionModel(info, List.copyOf(graphs), textEncoder(info, text),
          text2 == null ? null : textEncoder2(info, text2),
          new OnnxUNet(unetGraph, info.hiddenSize(), info.timeCondDim(), info.isXl() ? info.xl().pooledSize() : 0,
              info.isXl() ? info.xl().timeIdsSize() : 0),
          new OnnxVaeDecoder(vae, info.vaeScaleFactor()));
      LOG.info("loaded {} ({}, {}{}, digest {}) from {} in {} ms{}", options.uri(), info.pipelineClass(), info.floatType(),
          info.isQuantized() ? ", " + info.quantization() : "", digest.substring(0, 12), dir,
          (System.nanoTime() - start) / 1_000_000,
          source.downloaded() ? " (downloaded)" : "");
      return model;
    } catch (RuntimeException e) {
      graphs.forEach(OnnxGraph::close);
      throw e;
    }
  }

  /**
   * A model made of given parts instead of ONNX graphs, described by {@code info} (its scheduler
   * config and tokenizer must exist). The benchmarks' simulated accelerator (bench/, docs/performance.md)
   * runs the real pipeline on parts that take a GPU's measured time. Closing it closes nothing.
   *
   * @param textEncoder2 SDXL's second text encoder, or null
   */
  public static DiffusionModel of(ModelInfo info, TextEncoder textEncoder, TextEncoder textEncoder2, UNet unet,
      VaeDecoder vaeDecoder) {
    return new DiffusionModel(info, List.of(), textEncoder, textEncoder2, unet, vaeDecoder);
  }

  /** SD: last_hidden_state of the whole width. SDXL: the first encoder's penultimate hidden state, no pooled output. */
  private static TextEncoder textEncoder(ModelInfo info, OnnxGraph text) {
    return new OnnxTextEncoder(text, info.isXl(), null, info.isXl() ? info.xl().textWidth() : info.hiddenSize(), 0);
  }

  /** SDXL's second encoder: its penultimate hidden state, and text_embeds as the pooled embedding. */
  private static TextEncoder textEncoder2(ModelInfo info, OnnxGraph text2) {
    return new OnnxTextEncoder(text2, true, OnnxTextEncoder.TEXT_EMBEDS, info.xl().text2Width(), info.xl().pooledSize());
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

  /** SDXL's second text encoder (penultimate hidden state and pooled text_embeds), or null for other models. */
  public TextEncoder textEncoder2() {
    return textEncoder2;
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
