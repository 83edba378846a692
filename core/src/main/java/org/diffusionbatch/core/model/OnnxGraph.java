package org.diffusionbatch.core.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.onnxruntime.engine.OrtNDManager;
import ai.djl.onnxruntime.engine.OrtSymbolBlock;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * One ONNX graph of a model (text_encoder, unet or vae_decoder) loaded by DJL's ONNX Runtime
 * engine, with its inputs and outputs as the session declares them.
 *
 * <p>Thread-safe: ONNX Runtime sessions may run concurrently, and each call borrows a Predictor
 * from a small pool (one per concurrent caller; a fresh Predictor per call measured about 0.2 ms
 * slower) and uses its own NDManager. On a GPU, at most {@link ModelOptions#effectiveRunsPerGraph()}
 * runs of one graph are in flight ({@link GraphRunGate}), so concurrent tasks do not each allocate a
 * set of activations in GPU memory; inputs and outputs are in host memory (ONNX Runtime copies them
 * to and from the GPU inside the run), so their host work is not gated.
 */
final class OnnxGraph implements AutoCloseable {
  private final String part;
  private final Path file;
  private final Model model;
  private final OrtSession.SessionOptions sessionOptions;
  private final Map<String, TensorSpec> inputs;
  private final Map<String, TensorSpec> outputs;
  private final GraphRunGate gate;
  private final ConcurrentLinkedQueue<Predictor<NDList, NDList>> idlePredictors = new ConcurrentLinkedQueue<>();
  private final List<Predictor<NDList, NDList>> allPredictors = new CopyOnWriteArrayList<>();
  private volatile GraphInputListener listener;

  private OnnxGraph(String part, Path file, Model model, OrtSession.SessionOptions sessionOptions,
      Map<String, TensorSpec> inputs, Map<String, TensorSpec> outputs, GraphRunGate gate) {
    this.part = part;
    this.file = file;
    this.model = model;
    this.sessionOptions = sessionOptions;
    this.inputs = inputs;
    this.outputs = outputs;
    this.gate = gate;
  }

  /** Loads {@code <modelDir>/<part>/model.onnx}; external weights (model.onnx_data) are found beside it. */
  static OnnxGraph load(Path modelDir, String part, ModelOptions options) {
    return load(modelDir.resolve(part).resolve("model.onnx"), part, modelDir, options);
  }

  /** Loads one graph file; {@code part} and {@code modelDir} name it in error messages. */
  static OnnxGraph load(Path file, String part, Path modelDir, ModelOptions options) {
    Device device = options.gpu() == null ? Device.cpu() : Device.gpu(options.gpu());
    Model model = Model.newInstance(part, device, "OnnxRuntime");
    OrtSession.SessionOptions sessionOptions = null;
    try {
      // The session is made here, not by Model.load, so its declared input and output types
      // (float16 or float32, int32 or int64, a rank-0 timestep) can be read from it directly;
      // DJL's public OrtSymbolBlock constructor then serves it through the model's predictors.
      sessionOptions = sessionOptions(options);
      OrtSession session = OrtEnvironment.getEnvironment().createSession(file.toString(), sessionOptions);
      model.setBlock(new OrtSymbolBlock(session, (OrtNDManager) model.getNDManager()));
      return new OnnxGraph(part, file, model, sessionOptions, specs(session.getInputInfo()),
          specs(session.getOutputInfo()), GraphRunGate.of(options.effectiveRunsPerGraph()));
    } catch (OrtException | RuntimeException e) {
      model.close();
      if (sessionOptions != null) {
        sessionOptions.close();
      }
      throw LoadFailure.explain(file, part, modelDir, options, e);
    }
  }

  /** ONNX Runtime session settings from the model options: threads, graph optimisation, CUDA. */
  private static OrtSession.SessionOptions sessionOptions(ModelOptions o) throws OrtException {
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    try {
      if (o.intraOpThreads() > 0) {
        so.setIntraOpNumThreads(o.intraOpThreads());
      }
      if (o.interOpThreads() > 0) {
        so.setInterOpNumThreads(o.interOpThreads());
      }
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.valueOf(o.effectiveOptLevel()));
      if (o.gpu() != null) {
        so.addCUDA(o.gpu());
      }
      return so;
    } catch (OrtException | RuntimeException e) {
      so.close();
      throw e;
    }
  }

  private static Map<String, TensorSpec> specs(Map<String, NodeInfo> nodes) {
    Map<String, TensorSpec> specs = new LinkedHashMap<>();
    nodes.forEach((name, node) -> specs.put(name, TensorSpec.of(name, node)));
    return Collections.unmodifiableMap(specs);
  }

  String part() {
    return part;
  }

  Path file() {
    return file;
  }

  Map<String, TensorSpec> inputs() {
    return inputs;
  }

  Map<String, TensorSpec> outputs() {
    return outputs;
  }

  /** The named input; a {@link ModelException} listing the graph's inputs when it has none by that name. */
  TensorSpec requireInput(String name) {
    TensorSpec spec = inputs.get(name);
    if (spec == null) {
      throw new ModelException(part + "/model.onnx in " + file.getParent().getParent() + " has no input '" + name
          + "'; its inputs are " + inputs.values() + "; " + ModelLayout.EXPORT_HINT);
    }
    return spec;
  }

  TensorSpec requireOutput(String name) {
    TensorSpec spec = outputs.get(name);
    if (spec == null) {
      throw new ModelException(part + "/model.onnx in " + file.getParent().getParent() + " has no output '" + name
          + "'; its outputs are " + outputs.values() + "; " + ModelLayout.EXPORT_HINT);
    }
    return spec;
  }

  /** Throws unless the graph's input accepts a tensor of this shape. */
  void checkShape(TensorSpec spec, long... shape) {
    if (!spec.accepts(shape)) {
      throw new IllegalArgumentException(part + "/model.onnx input " + spec + " cannot take a tensor of shape "
          + Arrays.toString(shape));
    }
  }

  /**
   * Runs the graph once: {@code feed} builds the named inputs with the call's NDManager, {@code read}
   * turns the outputs into Java values before the call's arrays are freed.
   */
  <T> T run(Function<NDManager, NDList> feed, Function<NDList, T> read) {
    Predictor<NDList, NDList> predictor = borrowPredictor();
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDList inputs = feed.apply(manager);
      GraphInputListener observer = listener;
      if (observer != null) {
        observer.fed(part, inputs);
      }
      return read.apply(predict(predictor, inputs));
    } catch (TranslateException e) {
      throw new ModelException("running " + part + "/model.onnx failed: " + rootMessage(e), e);
    } finally {
      idlePredictors.add(predictor);
    }
  }

  /**
   * The run itself, alone behind the gate: feeding (float16 conversion into host buffers) and
   * reading (copying the host output out) stay outside it, so one task's host work overlaps another
   * task's run of the same graph. Held over the host work too, a GPU lock left the GPU idle for a few
   * milliseconds before every UNet step (docs/performance.md, "Where the device waited").
   */
  private NDList predict(Predictor<NDList, NDList> predictor, NDList inputs) throws TranslateException {
    return gate.run(() -> predictor.predict(inputs));
  }

  /** Who sees this graph's inputs from now on; null for nobody. */
  void listen(GraphInputListener observer) {
    this.listener = observer;
  }

  private Predictor<NDList, NDList> borrowPredictor() {
    Predictor<NDList, NDList> predictor = idlePredictors.poll();
    if (predictor == null) {
      predictor = model.newPredictor(new NoopTranslator());
      allPredictors.add(predictor);
    }
    return predictor;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  @Override
  public void close() {
    allPredictors.forEach(Predictor::close);
    model.close(); // closes the session too: the block is attached to the model's NDManager
    sessionOptions.close();
  }
}
