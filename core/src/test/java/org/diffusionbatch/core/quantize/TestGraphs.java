package org.diffusionbatch.core.quantize;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

/** Small ONNX graphs built with the generated protobuf classes, for tests. */
final class TestGraphs {
  private TestGraphs() {}

  /** {@code y = op(x, w)} (or {@code op(w, x)}) with w a float32 initializer, opset 17. */
  static ModelProto singleNode(String op, List<AttributeProto> attributes, long[] xShape, long[] wShape, float[] w,
      boolean weightSecond) {
    NodeProto.Builder node = NodeProto.newBuilder().setName("node").setOpType(op).addAllAttribute(attributes).addOutput("y");
    if (weightSecond) {
      node.addInput("x").addInput("w");
    } else {
      node.addInput("w").addInput("x");
    }
    GraphProto graph = GraphProto.newBuilder().setName("g").addNode(node)
        .addInitializer(floats("w", wShape, w))
        .addInput(value("x", xShape))
        .addOutput(ValueInfoProto.newBuilder().setName("y").setType(TypeProto.newBuilder()
            .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))))
        .build();
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(graph).build();
  }

  static TensorProto floats(String name, long[] dims, float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .setRawData(ByteString.copyFrom(bytes));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  static ValueInfoProto value(String name, long[] shape) {
    TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
    for (long d : shape) {
      dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(dims))).build();
  }

  static Path save(ModelProto model, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      model.writeTo(out);
    }
    return file;
  }

  /** max|w| / 127 over each index of {@code axis}: the scales symmetric per-channel INT8 must have. */
  static float[] expectedScales(float[] w, long[] shape, int axis) {
    long inner = 1;
    for (int d = axis + 1; d < shape.length; d++) {
      inner *= shape[d];
    }
    float[] max = new float[(int) shape[axis]];
    for (int i = 0; i < w.length; i++) {
      int c = (int) ((i / inner) % shape[axis]);
      max[c] = Math.max(max[c], Math.abs(w[i]));
    }
    float[] scales = new float[max.length];
    for (int c = 0; c < max.length; c++) {
      scales[c] = max[c] / 127;
    }
    return scales;
  }

  /** Y's shape for the single-node graphs above (Conv: stride 1, no padding). */
  static long[] outputShape(String op, List<AttributeProto> attributes, long[] x, long[] w, boolean weightSecond) {
    long[] a = weightSecond ? x : w;
    long[] b = weightSecond ? w : x;
    switch (op) {
      case "Conv":
        return new long[] {x[0], w[0], x[2] - w[2] + 1, x[3] - w[3] + 1};
      case "Gemm": {
        boolean transA = attributes.stream().anyMatch(t -> t.getName().equals("transA") && t.getI() == 1);
        boolean transB = attributes.stream().anyMatch(t -> t.getName().equals("transB") && t.getI() == 1);
        return new long[] {transA ? a[1] : a[0], transB ? b[0] : b[1]};
      }
      default: {
        long[] y = (a.length >= b.length ? a : b).clone();
        y[y.length - 2] = a[a.length - 2];
        y[y.length - 1] = b[b.length - 1];
        return y;
      }
    }
  }
}
