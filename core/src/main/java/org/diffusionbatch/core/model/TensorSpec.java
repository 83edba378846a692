package org.diffusionbatch.core.model;

import ai.djl.ndarray.types.DataType;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import java.util.Arrays;

/**
 * An input or output of an ONNX graph as the graph declares it: name, element type and shape, with
 * -1 for a dynamic dimension (batch, and usually height and width).
 */
public record TensorSpec(String name, DataType type, long[] shape) {

  static TensorSpec of(String name, NodeInfo node) {
    if (!(node.getInfo() instanceof TensorInfo info)) {
      return new TensorSpec(name, DataType.UNKNOWN, new long[0]);
    }
    return new TensorSpec(name, dataType(info.type), info.getShape());
  }

  private static DataType dataType(OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> DataType.FLOAT32;
      case FLOAT16 -> DataType.FLOAT16;
      case DOUBLE -> DataType.FLOAT64;
      case INT64 -> DataType.INT64;
      case INT32 -> DataType.INT32;
      case INT8 -> DataType.INT8;
      case UINT8 -> DataType.UINT8;
      case BOOL -> DataType.BOOLEAN;
      default -> DataType.UNKNOWN;
    };
  }

  public int rank() {
    return shape.length;
  }

  /** The size of dimension {@code axis}, or null when it is dynamic or the graph has fewer dimensions. */
  public Integer fixedDim(int axis) {
    return axis < shape.length && shape[axis] > 0 ? (int) shape[axis] : null;
  }

  public boolean isFloat() {
    return type == DataType.FLOAT32 || type == DataType.FLOAT16 || type == DataType.FLOAT64;
  }

  /** True when a tensor of {@code actual} shape fits: same rank, and equal wherever this spec is fixed. */
  public boolean accepts(long[] actual) {
    if (actual.length != shape.length) {
      return false;
    }
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] > 0 && shape[i] != actual[i]) {
        return false;
      }
    }
    return true;
  }

  /** ONNX style, e.g. {@code sample float16 [batch?, 4, 64, 64]} with '?' for dynamic dims. */
  @Override
  public String toString() {
    StringBuilder dims = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      dims.append(i == 0 ? "" : ", ").append(shape[i] > 0 ? Long.toString(shape[i]) : "?");
    }
    return name + " " + type.name().toLowerCase() + " [" + dims + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && t.name.equals(name) && t.type == type && Arrays.equals(t.shape, shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }
}
