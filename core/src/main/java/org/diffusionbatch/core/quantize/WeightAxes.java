package org.diffusionbatch.core.quantize;

import java.util.Set;
import onnx.Onnx.NodeProto;

/**
 * Which inputs of Conv, MatMul and Gemm hold weights, and which axis of each is the node's output
 * channel: the axis a per-channel scale must run along so one scale serves each output.
 */
final class WeightAxes {
  /** The op types whose weights are quantized. */
  static final Set<String> OPS = Set.of("Conv", "MatMul", "Gemm");
  /** One scale for the whole tensor (a MatMul with a rank-1 weight has no channel axis). */
  static final int PER_TENSOR = -1;

  private WeightAxes() {}

  /**
   * The output-channel axis of a weight of rank {@code rank} at input {@code input} of {@code node},
   * {@link #PER_TENSOR}, or null when that input is not a weight slot (Conv's X and bias, Gemm's C).
   *
   * <ul>
   *   <li>Conv W [M, C/group, k...]: axis 0 (M outputs);
   *   <li>MatMul Y = A B, B [..., K, N] a weight: axis rank-1 (N); A [..., M, K] a weight: axis rank-2 (M);
   *   <li>Gemm Y = op(A) op(B): B is [K, N] (axis 1), or [N, K] with transB (axis 0); A is [M, K]
   *       (axis 0), or [K, M] with transA (axis 1).
   * </ul>
   */
  static Integer outputChannelAxis(NodeProto node, int input, int rank) {
    switch (node.getOpType()) {
      case "Conv":
        return input == 1 && rank >= 3 ? 0 : null;
      case "MatMul":
        if (input > 1) {
          return null;
        }
        if (rank < 2) {
          return PER_TENSOR;
        }
        return input == 1 ? rank - 1 : rank - 2;
      case "Gemm":
        if (input > 1 || rank != 2) {
          return null;
        }
        boolean transposed = GraphIndex.intAttribute(node, input == 0 ? "transA" : "transB", 0) != 0;
        return input == 1 ? (transposed ? 0 : 1) : (transposed ? 1 : 0);
      default:
        return null;
    }
  }

  /** The inputs of a Conv, MatMul or Gemm that carry data (not weights, not bias) when they are not initializers. */
  static boolean isDataSlot(NodeProto node, int input) {
    return switch (node.getOpType()) {
      case "Conv" -> input == 0;
      case "MatMul", "Gemm" -> input <= 1;
      default -> false;
    };
  }
}
