package org.diffusionbatch.core.quantize;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.ValueInfoProto;
import org.diffusionbatch.core.model.ModelException;

/**
 * Activation ranges of one graph: a copy of the graph that also outputs the tensors to quantize
 * runs over the inputs recorded from the pipeline, and each tensor's values go into its
 * {@link TensorStatistics}. ONNX Runtime computes only what the requested outputs need and frees
 * the rest, so the tensors are asked for a group at a time to bound memory on large models.
 */
final class ActivationCalibrator {
  /** Exposed tensors per run until their sizes are known: a whole SD UNet's activations at once take several GB. */
  static final int TENSORS_PER_RUN = 128;
  /** Bytes of exposed tensors per run once the first call has shown their sizes. */
  static final long BYTES_PER_RUN = 512L << 20;

  /** Ranges by tensor, and the tensors left out because they are not float. */
  record Ranges(Map<String, ActivationQuant> ranges, List<SkippedOp> skipped) {}

  private ActivationCalibrator() {}

  static Ranges calibrate(OnnxModelFile model, Set<String> tensors, List<Path> calls, CalibrationMethod method,
      double percentile, boolean symmetric, int threads, Path workDir) throws IOException, OrtException {
    if (calls.isEmpty()) {
      throw new ModelException(model.file() + " was never called during calibration; nothing to calibrate it on");
    }
    Path augmented = writeAugmented(model, tensors, workDir);
    Map<String, TensorStatistics> stats = new LinkedHashMap<>();
    List<SkippedOp> skipped = new ArrayList<>();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
      if (threads > 0) {
        options.setIntraOpNumThreads(threads);
      }
      try (OrtSession session = env.createSession(augmented.toString(), options)) {
        List<List<String>> groups = groups(tensors);
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (Path call : calls) {
          Map<String, OnnxTensor> inputs = CalibrationRecorder.replay(call, env);
          try {
            for (List<String> group : groups) {
              try (OrtSession.Result result = session.run(inputs, new LinkedHashSet<>(group))) {
                for (String name : group) {
                  OnnxValue value = result.get(name).orElseThrow();
                  if (value instanceof OnnxTensor t) {
                    sizes.put(name, t.getInfo().getNumElements() * 4);
                  }
                  FloatBuffer floats = asFloats(value);
                  if (floats == null) {
                    stats.remove(name);
                    continue;
                  }
                  stats.computeIfAbsent(name, k -> new TensorStatistics(method == CalibrationMethod.PERCENTILE)).add(floats);
                }
              }
            }
          } finally {
            inputs.values().forEach(OnnxTensor::close);
          }
          if (call.equals(calls.get(0))) {
            groups = groupsBySize(tensors, sizes); // later calls have the same shapes
          }
        }
      }
    }
    Map<String, ActivationQuant> ranges = new LinkedHashMap<>();
    for (String name : tensors) {
      TensorStatistics s = stats.get(name);
      if (s == null || !s.seen()) {
        skipped.add(new SkippedOp(name, "activation", "not a float tensor (or always empty): left unquantized"));
        continue;
      }
      float[] range = method == CalibrationMethod.PERCENTILE ? s.percentileRange(percentile) : new float[] {s.min(), s.max()};
      ranges.put(name, ActivationQuant.of(s.min(), s.max(), range[0], range[1], symmetric));
    }
    return new Ranges(ranges, skipped);
  }

  private static List<List<String>> groups(Set<String> tensors) {
    List<List<String>> groups = new ArrayList<>();
    List<String> all = new ArrayList<>(tensors);
    for (int i = 0; i < all.size(); i += TENSORS_PER_RUN) {
      groups.add(all.subList(i, Math.min(all.size(), i + TENSORS_PER_RUN)));
    }
    return groups;
  }

  /** Consecutive tensors (in graph order) up to {@link #BYTES_PER_RUN} a run. */
  private static List<List<String>> groupsBySize(Set<String> tensors, Map<String, Long> sizes) {
    List<List<String>> groups = new ArrayList<>();
    List<String> group = new ArrayList<>();
    long bytes = 0;
    for (String name : tensors) {
      long size = sizes.getOrDefault(name, 0L);
      if (!group.isEmpty() && bytes + size > BYTES_PER_RUN) {
        groups.add(group);
        group = new ArrayList<>();
        bytes = 0;
      }
      group.add(name);
      bytes += size;
    }
    if (!group.isEmpty()) {
      groups.add(group);
    }
    return groups;
  }

  private static FloatBuffer asFloats(OnnxValue value) throws OrtException {
    if (!(value instanceof OnnxTensor tensor)) {
      return null;
    }
    OnnxJavaType type = ((TensorInfo) tensor.getInfo()).type;
    if (type == OnnxJavaType.FLOAT) {
      return tensor.getFloatBuffer();
    }
    if (type == OnnxJavaType.FLOAT16) {
      ShortBuffer halves = tensor.getShortBuffer();
      float[] out = new float[halves.remaining()];
      for (int i = 0; i < out.length; i++) {
        out[i] = Fp16Conversions.fp16ToFloat(halves.get(i));
      }
      return FloatBuffer.wrap(out);
    }
    return null;
  }

  /**
   * The graph with the tensors added as outputs, in {@code workDir}; its external data files are
   * linked (or copied where links are not allowed) next to it, so relative locations still resolve.
   */
  private static Path writeAugmented(OnnxModelFile model, Set<String> tensors, Path workDir) throws IOException {
    Files.createDirectories(workDir);
    GraphProto graph = model.model().getGraph();
    Set<String> outputs = new LinkedHashSet<>();
    graph.getOutputList().forEach(o -> outputs.add(o.getName()));
    GraphProto.Builder augmented = graph.toBuilder();
    for (String name : tensors) {
      if (outputs.add(name)) {
        augmented.addOutput(ValueInfoProto.newBuilder().setName(name)); // ONNX Runtime infers the type
      }
    }
    ModelProto proto = model.model().toBuilder().setGraph(augmented).build();
    Path file = workDir.resolve("model.onnx");
    try (var out = Files.newOutputStream(file)) {
      proto.writeTo(out);
    }
    for (String data : model.externalFiles()) {
      Path target = model.directory().resolve(data).toAbsolutePath();
      Path link = workDir.resolve(data);
      Files.createDirectories(link.getParent());
      try {
        Files.createSymbolicLink(link, target);
      } catch (UnsupportedOperationException | IOException e) {
        Files.copy(target, link);
      }
    }
    return file;
  }
}
