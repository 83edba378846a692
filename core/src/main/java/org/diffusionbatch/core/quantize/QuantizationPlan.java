package org.diffusionbatch.core.quantize;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorProto.DataType;

/**
 * What quantizing one graph will touch, decided before anything is changed: the weight
 * initializers of Conv, MatMul and Gemm with their output-channel axes, the activations around
 * those nodes (int8 mode), and everything left in float with the reason.
 */
final class QuantizationPlan {
  /** A weight initializer, the axis its scales run along, and the nodes (by index) that use it. */
  record Weight(String initializer, int axis, List<Integer> nodes) {}

  /** Big tensors smaller than this stay unreported when another op uses them (norm scales, biases, tables). */
  private static final long REPORTED_ELEMENTS = 256;

  final GraphIndex index;
  final Map<String, Weight> weights = new LinkedHashMap<>();
  /** Float activations to quantize (int8 mode): data inputs and outputs of the Conv, MatMul and Gemm nodes. */
  final Set<String> activations = new LinkedHashSet<>();
  final List<SkippedOp> skipped = new ArrayList<>();

  private QuantizationPlan(GraphIndex index) {
    this.index = index;
  }

  static QuantizationPlan of(GraphIndex index, boolean withActivations) {
    QuantizationPlan plan = new QuantizationPlan(index);
    plan.findWeights(withActivations);
    plan.reportUnquantizedTensors();
    return plan;
  }

  private void findWeights(boolean withActivations) {
    Map<String, List<int[]>> uses = new LinkedHashMap<>(); // initializer -> (node, input, axis)
    for (int i = 0; i < index.graph.getNodeCount(); i++) {
      NodeProto node = index.node(i);
      if (GraphIndex.hasSubgraph(node)) {
        skipped.add(new SkippedOp(index.nodeName(i), node.getOpType(), "has a subgraph, which is not searched"));
      }
      if (!WeightAxes.OPS.contains(node.getOpType())) {
        continue;
      }
      for (int j = 0; j < node.getInputCount(); j++) {
        String input = node.getInput(j);
        if (input.isEmpty()) {
          continue;
        }
        String initializer = initializerBehind(input);
        if (initializer != null) {
          TensorProto t = index.initializers.get(initializer);
          Integer axis = WeightAxes.outputChannelAxis(node, j, t.getDimsCount());
          if (axis != null) {
            uses.computeIfAbsent(initializer, k -> new ArrayList<>()).add(new int[] {i, j, axis});
          }
        } else if (node.getOpType().equals("Conv") && j == 1) {
          skipped.add(new SkippedOp(index.nodeName(i), "Conv", "its weight '" + input + "' is computed in the graph, not stored"));
        } else if (withActivations && WeightAxes.isDataSlot(node, j)) {
          activations.add(input);
        }
      }
      String output = node.getOutputCount() > 0 ? node.getOutput(0) : "";
      if (withActivations && !output.isEmpty() && !index.graphOutputs.contains(output)
          && !index.consumersOf(output).isEmpty()) {
        activations.add(output);
      }
    }
    uses.forEach(this::accept);
  }

  /** Takes the initializer as a weight when it is a float tensor used only as a weight, along one axis. */
  private void accept(String initializer, List<int[]> uses) {
    TensorProto t = index.initializers.get(initializer);
    int first = uses.get(0)[0];
    String op = index.node(first).getOpType();
    if (t.getDataType() != DataType.FLOAT_VALUE && t.getDataType() != DataType.FLOAT16_VALUE) {
      skipped.add(new SkippedOp(index.nodeName(first), op, "weight '" + initializer + "' is "
          + DataType.forNumber(t.getDataType()) + "; only float32 and float16 weights are quantized"));
      return;
    }
    int axis = uses.get(0)[2];
    for (int[] use : uses) {
      if (use[2] != axis) {
        skipped.add(new SkippedOp(index.nodeName(use[0]), index.node(use[0]).getOpType(), "weight '" + initializer
            + "' is shared by nodes whose output channels lie along different axes (" + axis + " and " + use[2] + ")"));
        return;
      }
    }
    String otherUse = nonWeightUse(initializer, uses);
    if (otherUse != null) {
      skipped.add(new SkippedOp(index.nodeName(first), op, "weight '" + initializer + "' also feeds " + otherUse
          + ", which must keep the float values"));
      return;
    }
    List<Integer> nodes = uses.stream().map(u -> u[0]).distinct().toList();
    weights.put(initializer, new Weight(initializer, axis, nodes));
  }

  /** A use of the initializer (through Identity/Cast) other than the given weight slots, described; null when none. */
  private String nonWeightUse(String initializer, List<int[]> uses) {
    Set<Long> slots = new LinkedHashSet<>();
    for (int[] u : uses) {
      slots.add(((long) u[0] << 32) | u[1]);
    }
    Deque<String> tensors = new ArrayDeque<>(List.of(initializer));
    while (!tensors.isEmpty()) {
      String tensor = tensors.pop();
      if (index.graphOutputs.contains(tensor)) {
        return "the graph output '" + tensor + "'";
      }
      for (GraphIndex.Use use : index.consumersOf(tensor)) {
        NodeProto consumer = index.node(use.node());
        if (slots.contains(((long) use.node() << 32) | use.input())) {
          continue;
        }
        if (isPassThrough(consumer)) {
          tensors.push(consumer.getOutput(0));
        } else {
          return consumer.getOpType() + " node " + index.nodeName(use.node());
        }
      }
    }
    return null;
  }

  /**
   * The initializer behind a tensor: the tensor itself, or the one an Identity or Cast chain passes
   * on (fp16 exports cast float16 weights up; torch exports Identity shared weights). Null when the
   * tensor is computed.
   */
  String initializerBehind(String tensor) {
    String current = tensor;
    for (int depth = 0; depth < 4; depth++) {
      if (index.initializers.containsKey(current)) {
        return current;
      }
      Integer producer = index.producers.get(current);
      if (producer == null || !isPassThrough(index.node(producer))) {
        return null;
      }
      current = index.node(producer).getInput(0);
    }
    return null;
  }

  private static boolean isPassThrough(NodeProto node) {
    return (node.getOpType().equals("Identity") || node.getOpType().equals("Cast")) && node.getInputCount() == 1;
  }

  /** Large float initializers that stay float because only other ops use them: what the quantization does not shrink. */
  private void reportUnquantizedTensors() {
    for (TensorProto t : index.initializers.values()) {
      if (weights.containsKey(t.getName()) || !TensorValues.isFloating(t.getDataType())
          || TensorValues.elementCount(t) < REPORTED_ELEMENTS || nonUnitDims(t) < 2) {
        continue;
      }
      if (skipped.stream().anyMatch(s -> s.reason().contains("'" + t.getName() + "'"))) {
        continue;
      }
      Set<String> users = new LinkedHashSet<>();
      Deque<String> tensors = new ArrayDeque<>(List.of(t.getName()));
      while (!tensors.isEmpty()) {
        for (GraphIndex.Use use : index.consumersOf(tensors.pop())) {
          NodeProto consumer = index.node(use.node());
          if (isPassThrough(consumer)) {
            tensors.push(consumer.getOutput(0));
          } else {
            users.add(index.nodeName(use.node()) + "\u0000" + consumer.getOpType());
          }
        }
      }
      for (String user : users) {
        String[] parts = user.split("\u0000");
        skipped.add(new SkippedOp(parts[0], parts[1], "its input '" + t.getName() + "' (" + TensorValues.elementCount(t)
            + " values) stays float: only Conv, MatMul and Gemm weights are quantized"));
      }
    }
  }

  private static int nonUnitDims(TensorProto t) {
    return (int) t.getDimsList().stream().filter(d -> d > 1).count();
  }
}
