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
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.ValueInfoProto;

/** Who produces and who consumes each tensor of a graph's top level, and its initializers. */
final class GraphIndex {
  /** One input slot of one node. */
  record Use(int node, int input) {}

  final GraphProto graph;
  final Map<String, TensorProto> initializers = new LinkedHashMap<>();
  final Map<String, Integer> producers = new HashMap<>();
  final Map<String, List<Use>> consumers = new HashMap<>();
  final Set<String> graphInputs = new HashSet<>();
  final Set<String> graphOutputs = new HashSet<>();
  /** Every tensor and node name in use, so new names never collide. */
  final Set<String> names = new HashSet<>();
  final int opset;

  GraphIndex(ModelProto model) {
    this.graph = model.getGraph();
    this.opset = defaultOpset(model);
    for (TensorProto t : graph.getInitializerList()) {
      initializers.put(t.getName(), t);
      names.add(t.getName());
    }
    for (ValueInfoProto v : graph.getInputList()) {
      graphInputs.add(v.getName());
      names.add(v.getName());
    }
    for (ValueInfoProto v : graph.getOutputList()) {
      graphOutputs.add(v.getName());
      names.add(v.getName());
    }
    for (int i = 0; i < graph.getNodeCount(); i++) {
      NodeProto n = graph.getNode(i);
      names.add(n.getName());
      for (int j = 0; j < n.getInputCount(); j++) {
        if (!n.getInput(j).isEmpty()) {
          consumers.computeIfAbsent(n.getInput(j), k -> new ArrayList<>()).add(new Use(i, j));
        }
      }
      for (String out : n.getOutputList()) {
        producers.put(out, i);
        names.add(out);
      }
    }
  }

  /** The version of the default ("" / "ai.onnx") operator set the model imports. */
  static int defaultOpset(ModelProto model) {
    for (OperatorSetIdProto o : model.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        return (int) o.getVersion();
      }
    }
    return 0;
  }

  NodeProto node(int index) {
    return graph.getNode(index);
  }

  List<Use> consumersOf(String tensor) {
    return consumers.getOrDefault(tensor, List.of());
  }

  /** A name not used anywhere in the graph yet, starting from {@code base}; reserved once returned. */
  String fresh(String base) {
    String name = base;
    for (int i = 1; names.contains(name); i++) {
      name = base + "_" + i;
    }
    names.add(name);
    return name;
  }

  /** A node's name, or its op type and position when the exporter left it unnamed. */
  String nodeName(int index) {
    NodeProto n = graph.getNode(index);
    return n.getName().isEmpty() ? n.getOpType() + "#" + index : n.getName();
  }

  static long intAttribute(NodeProto node, String name, long fallback) {
    for (AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return fallback;
  }

  static float floatAttribute(NodeProto node, String name, float fallback) {
    for (AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getF();
      }
    }
    return fallback;
  }

  static boolean hasSubgraph(NodeProto node) {
    return node.getAttributeList().stream().anyMatch(a -> a.hasG() || a.getGraphsCount() > 0);
  }
}
