package org.diffusionbatch.core.quantize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorProto.DataType;
import onnx.Onnx.ValueInfoProto;

/**
 * Rewrites one graph to the QDQ form ONNX Runtime understands:
 *
 * <ul>
 *   <li>each planned weight W becomes an INT8 initializer, its per-channel scales and zero points,
 *       and a DequantizeLinear whose output is named W, so every user of W is unchanged; a float16
 *       weight gets float16 scales from opset 19 on, and before that a float32 DequantizeLinear and
 *       a Cast back to float16 (DequantizeLinear before opset 19 only makes float32);
 *   <li>with activation ranges (int8 mode), each calibrated activation X gets QuantizeLinear →
 *       DequantizeLinear: the Conv/MatMul/Gemm nodes read the dequantized copy, and when X is such a
 *       node's output every reader does (ONNX Runtime fuses a node only when its output goes to a
 *       QuantizeLinear alone); Conv and Gemm biases become INT32 with scale input scale × weight
 *       scale, as ONNX Runtime's quantizer makes them, so the node can run as QLinearConv/QGemm.
 * </ul>
 */
final class QdqRewriter {
  /** What the rewrite made. */
  record Result(ModelProto model, List<QuantizedWeight> weights, Map<String, ActivationQuant> activations,
      List<SkippedOp> skipped) {}

  private final OnnxModelFile source;
  private final QuantizationPlan plan;
  private final GraphIndex index;
  private final Map<String, ActivationQuant> ranges;
  private final String mode;

  private final List<NodeProto> front = new ArrayList<>();
  private final Map<Integer, List<NodeProto>> after = new HashMap<>();
  private final List<TensorProto> added = new ArrayList<>();
  private final Set<String> removed = new HashSet<>();
  private final Map<Long, String> rewired = new HashMap<>(); // (node << 32 | input) -> new input name
  private final Map<String, float[]> weightScales = new HashMap<>();
  private final List<QuantizedWeight> weights = new ArrayList<>();
  private final Map<String, ActivationQuant> activations = new LinkedHashMap<>();
  private final List<SkippedOp> skipped = new ArrayList<>();

  /**
   * @param ranges activation parameters by tensor name; empty for weight-only quantization
   * @param mode written into the model's metadata ("weights-int8", "int8")
   */
  QdqRewriter(OnnxModelFile source, QuantizationPlan plan, Map<String, ActivationQuant> ranges, String mode) {
    this.source = source;
    this.plan = plan;
    this.index = plan.index;
    this.ranges = ranges;
    this.mode = mode;
  }

  Result rewrite() {
    skipped.addAll(plan.skipped);
    plan.weights.values().forEach(this::quantizeWeight);
    for (String tensor : plan.activations) {
      ActivationQuant q = ranges.get(tensor);
      if (q != null) {
        quantizeActivation(tensor, q);
      }
    }
    if (!ranges.isEmpty()) {
      for (int i = 0; i < index.graph.getNodeCount(); i++) {
        quantizeBias(i);
      }
    }
    return new Result(assemble(), weights, activations, skipped);
  }

  private void quantizeWeight(QuantizationPlan.Weight w) {
    TensorProto t = index.initializers.get(w.initializer());
    boolean half = t.getDataType() == DataType.FLOAT16_VALUE;
    boolean halfScales = half && index.opset >= 19;
    long[] dims = TensorValues.dims(t);
    SymmetricInt8.Quantized q = SymmetricInt8.quantize(source.floats(t), dims, w.axis(), halfScales);
    String name = w.initializer();
    long[] scaleDims = w.axis() < 0 ? new long[0] : new long[] {dims[w.axis()]};
    String quantized = index.fresh(name + "_quantized");
    String scale = index.fresh(name + "_scale");
    String zeroPoint = index.fresh(name + "_zero_point");
    added.add(TensorValues.int8(quantized, dims, q.quantized()));
    added.add(TensorValues.floats(scale, halfScales ? DataType.FLOAT16 : DataType.FLOAT, scaleDims, q.scales()));
    added.add(TensorValues.int8(zeroPoint, scaleDims, new byte[q.scales().length]));
    boolean castBack = half && !halfScales;
    String dequantized = castBack ? index.fresh(name + "_dequantized") : name;
    front.add(dequantize(quantized, scale, zeroPoint, dequantized, w.axis()));
    if (castBack) {
      front.add(NodeProto.newBuilder().setName(index.fresh(name + "_Cast")).setOpType("Cast")
          .addInput(dequantized).addOutput(name)
          .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
              .setI(DataType.FLOAT16_VALUE))
          .build());
    }
    removed.add(name);
    weightScales.put(name, q.scales());
    float min = Float.MAX_VALUE;
    float max = 0;
    for (float s : q.scales()) {
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    weights.add(new QuantizedWeight(name, index.node(w.nodes().get(0)).getOpType(), t.getDimsList(),
        DataType.forNumber(t.getDataType()).name().toLowerCase(), w.axis(), min, max));
  }

  private void quantizeActivation(String tensor, ActivationQuant q) {
    String scale = index.fresh(tensor + "_scale");
    String zeroPoint = index.fresh(tensor + "_zero_point");
    String quantized = index.fresh(tensor + "_quantized");
    String dequantized = index.fresh(tensor + "_dequantized");
    added.add(TensorValues.floats(scale, DataType.FLOAT, new long[0], new float[] {q.scale()}));
    added.add(TensorValues.int8(zeroPoint, new long[0], new byte[] {(byte) q.zeroPoint()}));
    NodeProto quantize = NodeProto.newBuilder().setName(index.fresh(tensor + "_QuantizeLinear"))
        .setOpType("QuantizeLinear").addInput(tensor).addInput(scale).addInput(zeroPoint).addOutput(quantized).build();
    NodeProto dequantize = dequantize(quantized, scale, zeroPoint, dequantized, WeightAxes.PER_TENSOR);
    Integer producer = index.producers.get(tensor);
    List<NodeProto> place = producer == null ? front : after.computeIfAbsent(producer, k -> new ArrayList<>());
    place.add(quantize);
    place.add(dequantize);
    boolean fromQuantizedOp = producer != null && WeightAxes.OPS.contains(index.node(producer).getOpType());
    for (GraphIndex.Use use : index.consumersOf(tensor)) {
      NodeProto consumer = index.node(use.node());
      if (fromQuantizedOp || (WeightAxes.OPS.contains(consumer.getOpType()) && WeightAxes.isDataSlot(consumer, use.input()))) {
        rewired.put(key(use.node(), use.input()), dequantized);
      }
    }
    activations.put(tensor, q);
  }

  /** INT32 bias of a Conv or Gemm whose input and weight are quantized; a bias it cannot express stays float. */
  private void quantizeBias(int i) {
    NodeProto node = index.node(i);
    boolean gemm = node.getOpType().equals("Gemm");
    if (!(node.getOpType().equals("Conv") || gemm) || node.getInputCount() < 3 || node.getInput(2).isEmpty()) {
      return;
    }
    ActivationQuant input = activations.get(node.getInput(0));
    String weight = plan.initializerBehind(node.getInput(1));
    TensorProto bias = index.initializers.get(node.getInput(2));
    float[] scales = weight == null ? null : weightScales.get(weight);
    if (input == null || scales == null || bias == null || bias.getDimsCount() != 1
        || bias.getDataType() != DataType.FLOAT_VALUE || (gemm && GraphIndex.floatAttribute(node, "beta", 1f) != 1f)) {
      return;
    }
    int channels = (int) bias.getDims(0);
    if (scales.length != 1 && scales.length != channels) {
      return;
    }
    float[] values = source.floats(bias);
    float[] biasScales = new float[channels];
    int[] quantized = new int[channels];
    for (int c = 0; c < channels; c++) {
      biasScales[c] = input.scale() * scales[scales.length == 1 ? 0 : c];
      double r = Math.rint(values[c] / (double) biasScales[c]);
      if (Math.abs(r) > Integer.MAX_VALUE) {
        skipped.add(new SkippedOp(index.nodeName(i), node.getOpType(), "bias '" + bias.getName()
            + "' stays float: it does not fit INT32 at scale input x weight"));
        return;
      }
      quantized[c] = (int) r;
    }
    String quantizedName = index.fresh(bias.getName() + "_quantized");
    String scaleName = index.fresh(bias.getName() + "_scale");
    String dequantized = index.fresh(bias.getName() + "_dequantized");
    added.add(TensorValues.int32(quantizedName, new long[] {channels}, quantized));
    added.add(TensorValues.floats(scaleName, DataType.FLOAT, new long[] {channels}, biasScales));
    front.add(dequantize(quantizedName, scaleName, null, dequantized, 0));
    rewired.put(key(i, 2), dequantized);
    boolean stillUsed = index.consumersOf(bias.getName()).stream().anyMatch(u -> !rewired.containsKey(key(u.node(), u.input())))
        || index.graphOutputs.contains(bias.getName());
    if (!stillUsed) {
      removed.add(bias.getName());
    }
  }

  private NodeProto dequantize(String input, String scale, String zeroPoint, String output, int axis) {
    NodeProto.Builder b = NodeProto.newBuilder().setName(index.fresh(output + "_DequantizeLinear"))
        .setOpType("DequantizeLinear").addInput(input).addInput(scale);
    if (zeroPoint != null) {
      b.addInput(zeroPoint);
    }
    b.addOutput(output);
    if (axis >= 0) {
      b.addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(axis));
    }
    return b.build();
  }

  private ModelProto assemble() {
    GraphProto g = index.graph;
    GraphProto.Builder graph = g.toBuilder().clearNode().clearInitializer().clearInput();
    for (ValueInfoProto input : g.getInputList()) {
      if (!removed.contains(input.getName())) {
        graph.addInput(input); // IR < 4 lists initializers as inputs too; quantized ones are no longer inputs
      }
    }
    for (TensorProto t : g.getInitializerList()) {
      if (!removed.contains(t.getName())) {
        graph.addInitializer(t);
      }
    }
    graph.addAllInitializer(added);
    graph.addAllNode(front);
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto node = g.getNode(i);
      NodeProto.Builder b = null;
      for (int j = 0; j < node.getInputCount(); j++) {
        String replacement = rewired.get(key(i, j));
        if (replacement != null) {
          b = b == null ? node.toBuilder() : b;
          b.setInput(j, replacement);
        }
      }
      graph.addNode(b == null ? node : b.build());
      graph.addAllNode(after.getOrDefault(i, List.of()));
    }
    return source.model().toBuilder().setGraph(graph)
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey("diffusion-batch.quantization").setValue(mode))
        .build();
  }

  private static long key(int node, int input) {
    return ((long) node << 32) | input;
  }
}
