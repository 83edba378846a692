package org.diffusionbatch.core.quantize;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.ValueInfoProto;
import org.diffusionbatch.core.model.DiffusionModel;
import org.diffusionbatch.core.model.ModelDigest;
import org.diffusionbatch.core.model.ModelException;
import org.diffusionbatch.core.model.ModelInfo;
import org.diffusionbatch.core.model.ModelLayout;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.model.ModelSource;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.pipeline.TextToImagePipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code quantize}: an Optimum ONNX export in, a new folder in the same layout out, with the chosen
 * graphs in INT8 and {@code quantization.json} saying how. The folder is built beside the output
 * under a hidden name and renamed into place at the end, so a failed run leaves nothing behind.
 */
public final class ModelQuantizer {
  private static final Logger LOG = LoggerFactory.getLogger(ModelQuantizer.class);
  /** Ops that show a graph is quantized already. */
  private static final Set<String> QUANTIZED_OPS = Set.of("QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
      "QLinearConv", "QLinearMatMul", "MatMulInteger", "ConvInteger", "MatMulNBits", "QGemm", "MatMulIntegerToFloat");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ModelQuantizer() {}

  /** Quantizes the model as the settings say; a {@link ModelException} or IllegalArgumentException names what is wrong. */
  public static QuantizationReport quantize(QuantizeSettings s) {
    Path output = s.output().toAbsolutePath().normalize();
    if (Files.exists(output)) {
      throw new IllegalArgumentException("output folder " + output + " already exists; quantize writes a new folder:"
          + " give another --output (nothing was written)");
    }
    ModelSource.Resolved source = ModelSource.resolve(
        ModelOptions.of(s.model()).withS3(s.s3()).withCacheDir(s.cacheDir()));
    Path sourceDir = source.directory();
    ModelLayout.read(sourceDir);
    rejectQuantized(sourceDir);
    Map<String, OnnxModelFile> graphs = new LinkedHashMap<>();
    for (String part : s.parts()) {
      if (!Files.isDirectory(sourceDir.resolve(part))) {
        throw new ModelException("--parts " + part + ": " + sourceDir + " has no " + part + "/ graph"
            + (part.equals("text_encoder_2") ? " (only SDXL-style exports have a second text encoder)" : "")
            + "; quantize the graphs it has (nothing was written)");
      }
      OnnxModelFile graph = OnnxModelFile.read(sourceDir.resolve(part).resolve("model.onnx"));
      rejectQuantized(graph, part, sourceDir);
      if (GraphIndex.defaultOpset(graph.model()) < 13) {
        throw new ModelException(part + "/model.onnx in " + sourceDir + " uses ONNX opset "
            + GraphIndex.defaultOpset(graph.model()) + "; per-channel DequantizeLinear needs opset 13 or later:"
            + " re-export the model with a newer opset (optimum-cli uses 14 or later)");
      }
      if (s.mode() == QuantizationMode.INT8 && hasFloat16Inputs(graph)) {
        throw new ModelException(part + "/model.onnx in " + sourceDir + " is float16; int8 mode calibrates and"
            + " quantizes float32 activations: quantize the float32 export (weights-int8 works on float16 models)");
      }
      graphs.put(part, graph);
    }
    String digest = source.digest() != null ? source.digest() : ModelDigest.of(sourceDir);

    Path parent = output.getParent();
    Path work = parent.resolve("." + output.getFileName() + ".partial-" + UUID.randomUUID().toString().substring(0, 8));
    try {
      Files.createDirectories(parent);
      copyModelFiles(sourceDir, work, graphs);
      CalibrationResult calibration = s.mode() == QuantizationMode.INT8 ? calibrate(s, sourceDir, work) : null;
      Map<String, QuantizationReport.Graph> reports = new LinkedHashMap<>();
      for (Map.Entry<String, OnnxModelFile> e : graphs.entrySet()) {
        reports.put(e.getKey(), quantizeGraph(s, e.getKey(), e.getValue(), calibration, work));
      }
      QuantizationReport report = new QuantizationReport(QuantizationReport.FORMAT, s.mode().label(), s.parts(),
          new QuantizationReport.Source(s.model(), digest), Instant.now().toString(),
          "int8, symmetric (zero point 0, range [-127, 127]), one scale per output channel, for Conv, MatMul and Gemm;"
              + " biases and normalization parameters stay float",
          s.mode() == QuantizationMode.INT8
              ? "int8 per tensor, " + (s.symmetricActivations() ? "symmetric" : "asymmetric")
                  + ", around Conv, MatMul and Gemm (QuantizeLinear/DequantizeLinear); Conv/Gemm biases int32"
              : "unchanged (the exported float type)",
          calibration == null ? null : calibration.record(), reports);
      JSON.writeValue(work.resolve(ModelInfo.QUANTIZATION_SIDECAR).toFile(), report);
      moveIntoPlace(work, output);
      LOG.info("quantized {} ({}) into {}", s.model(), s.mode().label(), output);
      return report;
    } catch (IOException e) {
      throw new UncheckedIOException("quantizing " + s.model() + " into " + output + " failed: " + e.getMessage(), e);
    } catch (OrtException e) {
      throw new ModelException("ONNX Runtime failed while calibrating " + s.model() + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(work);
    }
  }

  private record CalibrationResult(CalibrationRecorder recorder, QuantizationReport.Calibration record, Path dir) {}

  /** Runs the calibration prompts through the real pipeline on the source model, recording each graph's inputs. */
  private static CalibrationResult calibrate(QuantizeSettings s, Path sourceDir, Path work) throws IOException {
    Path dir = Files.createDirectories(work.resolve(".calibration"));
    CalibrationRecorder recorder = new CalibrationRecorder(dir, s.partSet());
    ModelOptions options = ModelOptions.local(sourceDir).withThreads(s.threads(), s.threads() > 0 ? 1 : 0);
    try (DiffusionModel model = DiffusionModel.load(options)) {
      TextToImagePipeline pipeline = new TextToImagePipeline(model);
      GenerationSettings settings = pipeline.withDefaults(new GenerationSettings(null,
          s.calibrationSteps() == null ? 0 : s.calibrationSteps(), Double.NaN, 0, 0, 0, null));
      model.listenToGraphInputs(recorder);
      LOG.info("calibrating on {} prompts: {} steps of {}, guidance {}, {}x{}", s.calibrationPrompts().size(),
          settings.steps(), settings.sampler(), settings.guidanceScale(), settings.width(), settings.height());
      int failed = 0;
      for (int i = 0; i < s.calibrationPrompts().size(); i++) {
        GenerationRequest request = new GenerationRequest(s.calibrationPrompts().get(i), "", i);
        GenerationResult result = pipeline.generate(settings, List.of(request), false).get(0);
        if (!result.ok()) {
          failed++;
          LOG.warn("calibration prompt {} failed at {}: {}", i, result.failedStage(), result.error());
        }
      }
      model.listenToGraphInputs(null);
      if (failed == s.calibrationPrompts().size()) {
        throw new ModelException("every calibration prompt failed on " + s.model() + "; the model does not run: check"
            + " it with txt2img first");
      }
      Map<String, Integer> calls = new LinkedHashMap<>();
      for (String part : s.parts()) {
        calls.put(part, recorder.calls(part).size());
      }
      QuantizationReport.Calibration record = new QuantizationReport.Calibration(s.calibrationPromptsSource(),
          s.calibrationPrompts(), "prompt line index (0, 1, ...)", settings.sampler(), settings.steps(),
          settings.guidanceScale(), settings.width(), settings.height(), s.method().label(),
          s.method() == CalibrationMethod.PERCENTILE ? s.percentile() : null, s.symmetricActivations(), calls);
      return new CalibrationResult(recorder, record, dir);
    }
  }

  private static QuantizationReport.Graph quantizeGraph(QuantizeSettings s, String part, OnnxModelFile graph,
      CalibrationResult calibration, Path work) throws IOException, OrtException {
    boolean int8 = s.mode() == QuantizationMode.INT8;
    QuantizationPlan plan = QuantizationPlan.of(new GraphIndex(graph.model()), int8);
    Map<String, ActivationQuant> ranges = Map.of();
    List<SkippedOp> skipped = new ArrayList<>();
    if (int8 && !plan.activations.isEmpty()) {
      LOG.info("{}: calibrating {} activations over {} recorded calls", part, plan.activations.size(),
          calibration.recorder().calls(part).size());
      ActivationCalibrator.Ranges found = ActivationCalibrator.calibrate(graph, plan.activations,
          calibration.recorder().calls(part), s.method(), s.percentile(), s.symmetricActivations(), s.threads(),
          calibration.dir().resolve("augmented-" + part));
      ranges = found.ranges();
      skipped.addAll(found.skipped());
    }
    long before = graphBytes(graph.directory(), graph);
    Path target = work.resolve(part);
    if (plan.weights.isEmpty() && ranges.isEmpty()) {
      copyGraph(graph, target);
      LOG.info("{}: nothing to quantize ({} ops left in float), copied unchanged", part, plan.skipped.size());
      skipped.addAll(0, plan.skipped);
      return new QuantizationReport.Graph(before, before, List.of(), null, skipped);
    }
    QdqRewriter.Result result = new QdqRewriter(graph, plan, ranges, s.mode().label()).rewrite();
    skipped.addAll(0, result.skipped());
    boolean external = graph.hasExternalData() || result.model().getSerializedSize() > OnnxModelWriter.INLINE_LIMIT;
    OnnxModelWriter.write(result.model(), graph, target.resolve("model.onnx"), external);
    long after = graphBytes(target, null);
    LOG.info("{}: {} weights to INT8{}, {} -> {} bytes, {} ops left in float", part, result.weights().size(),
        int8 ? ", " + result.activations().size() + " activations" : "", before, after, skipped.size());
    return new QuantizationReport.Graph(before, after, result.weights(), int8 ? result.activations() : null, skipped);
  }

  /** Sizes of model.onnx and the external data files it names (all of them when {@code graph} is null). */
  private static long graphBytes(Path dir, OnnxModelFile graph) throws IOException {
    long total = Files.size(dir.resolve("model.onnx"));
    if (graph != null) {
      for (String data : graph.externalFiles()) {
        total += Files.size(dir.resolve(data));
      }
    } else if (Files.exists(dir.resolve(OnnxModelWriter.DATA_FILE))) {
      total += Files.size(dir.resolve(OnnxModelWriter.DATA_FILE));
    }
    return total;
  }

  private static void copyGraph(OnnxModelFile graph, Path target) throws IOException {
    Files.createDirectories(target);
    Files.copy(graph.file(), target.resolve("model.onnx"));
    for (String data : graph.externalFiles()) {
      Path to = target.resolve(data);
      Files.createDirectories(to.getParent());
      Files.copy(graph.directory().resolve(data), to);
    }
  }

  /** Everything but the graphs being quantized (and hidden files such as the S3 cache's digest marker). */
  private static void copyModelFiles(Path sourceDir, Path work, Map<String, OnnxModelFile> graphs) throws IOException {
    List<Path> skip = new ArrayList<>();
    for (OnnxModelFile graph : graphs.values()) {
      skip.add(graph.file().toAbsolutePath().normalize());
      for (String data : graph.externalFiles()) {
        skip.add(graph.directory().resolve(data).normalize());
      }
    }
    try (Stream<Path> files = Files.walk(sourceDir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path relative = sourceDir.relativize(file);
        if (skip.contains(file.toAbsolutePath().normalize()) || isHidden(relative)) {
          continue;
        }
        Path to = work.resolve(relative.toString());
        Files.createDirectories(to.getParent());
        Files.copy(file, to);
      }
    }
  }

  private static boolean isHidden(Path relative) {
    for (Path p : relative) {
      if (p.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static void rejectQuantized(Path dir) {
    Path sidecar = dir.resolve(ModelInfo.QUANTIZATION_SIDECAR);
    if (Files.exists(sidecar)) {
      String mode;
      try {
        mode = JSON.readTree(sidecar.toFile()).path("mode").asText("?");
      } catch (IOException e) {
        mode = "unreadable";
      }
      throw new ModelException("model at " + dir + " is already quantized (" + ModelInfo.QUANTIZATION_SIDECAR
          + " says mode " + mode + "); quantize the original export instead");
    }
  }

  private static void rejectQuantized(OnnxModelFile graph, String part, Path dir) {
    for (NodeProto node : graph.model().getGraph().getNodeList()) {
      if (QUANTIZED_OPS.contains(node.getOpType())) {
        throw new ModelException(part + "/model.onnx in " + dir + " is already quantized (it has "
            + node.getOpType() + " nodes); quantize the original float export instead");
      }
    }
  }

  private static boolean hasFloat16Inputs(OnnxModelFile graph) {
    for (ValueInfoProto input : graph.model().getGraph().getInputList()) {
      if (input.getType().getTensorType().getElemType() == TensorProto.DataType.FLOAT16_VALUE) {
        return true;
      }
    }
    return false;
  }

  private static void moveIntoPlace(Path work, Path output) throws IOException {
    deleteQuietly(work.resolve(".calibration"));
    try {
      Files.move(work, output, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(work, output);
    } catch (FileAlreadyExistsException e) {
      throw new IllegalArgumentException("output folder " + output + " appeared while quantizing; nothing was written", e);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          LOG.warn("could not delete {}: {}", p, e.getMessage());
        }
      });
    } catch (IOException e) {
      LOG.warn("could not clean up {}: {}", dir, e.getMessage());
    }
  }
}
