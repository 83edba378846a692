package org.diffusionbatch.core.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-channel scales of a weight must run along the axis that indexes the node's outputs, which
 * depends on the op, on which input is the weight, and on Gemm's transposes. Each weight here has
 * output channels whose magnitudes differ 1000-fold, so scales along any other axis break the
 * bound checked: each output moves by at most sum|x| x (its channel's scale) / 2.
 */
class OutputChannelAxisTest {
  @TempDir Path dir;

  @Test
  void matMulWithTheWeightSecondScalesAlongItsLastAxis() throws Exception {
    check("MatMul", List.of(), new long[] {3, 5}, new long[] {5, 4}, true, 1, 1);
  }

  @Test
  void matMulWithTheWeightFirstScalesAlongItsRows() throws Exception {
    check("MatMul", List.of(), new long[] {5, 3}, new long[] {4, 5}, false, 0, 0);
  }

  @Test
  void batchedMatMulWeightScalesAlongItsLastAxis() throws Exception {
    check("MatMul", List.of(), new long[] {2, 3, 5}, new long[] {2, 5, 4}, true, 2, 2);
  }

  @Test
  void gemmWithTransposedWeightScalesAlongItsRows() throws Exception {
    check("Gemm", List.of(attr("transB", 1)), new long[] {3, 5}, new long[] {4, 5}, true, 0, 1);
  }

  @Test
  void gemmWithPlainWeightScalesAlongItsColumns() throws Exception {
    check("Gemm", List.of(), new long[] {3, 5}, new long[] {5, 4}, true, 1, 1);
  }

  @Test
  void gemmWithTransposedFirstInputWeightScalesAlongItsColumns() throws Exception {
    check("Gemm", List.of(attr("transA", 1)), new long[] {5, 4}, new long[] {5, 3}, false, 1, 0);
  }

  @Test
  void convWeightScalesAlongItsOutputChannels() throws Exception {
    check("Conv", List.of(), new long[] {1, 2, 5, 5}, new long[] {4, 2, 3, 3}, true, 0, 1);
  }

  /**
   * @param weightSecond the weight is input 1 (else input 0)
   * @param weightAxis the axis the scales must run along (the expected DequantizeLinear axis)
   * @param outputAxis the axis of Y that indexes those channels
   */
  private void check(String op, List<AttributeProto> attributes, long[] xShape, long[] wShape, boolean weightSecond,
      int weightAxis, int outputAxis) throws Exception {
    float[] w = channelScaledWeight(wShape, weightAxis);
    ModelProto model = TestGraphs.singleNode(op, attributes, xShape, wShape, w, weightSecond);
    Path source = TestGraphs.save(model, dir.resolve("float.onnx"));
    OnnxModelFile file = OnnxModelFile.read(source);
    QuantizationPlan plan = QuantizationPlan.of(new GraphIndex(file.model()), false);
    ModelProto quantized = new QdqRewriter(file, plan, Map.of(), "weights-int8").rewrite().model();
    NodeProto dq = quantized.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("DequantizeLinear"))
        .findFirst().orElseThrow();
    assertEquals(weightAxis, dq.getAttribute(0).getI(), "DequantizeLinear axis");
    Path quantizedFile = TestGraphs.save(quantized, dir.resolve("quantized.onnx"));

    Random random = new Random(7);
    float[] x = new float[product(xShape)];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextDouble() * 2 - 1);
    }
    float[] expected = run(source, x, xShape);
    float[] actual = run(quantizedFile, x, xShape);
    float l1 = 0;
    for (float v : x) {
      l1 += Math.abs(v);
    }
    float[] scales = TestGraphs.expectedScales(w, wShape, weightAxis);
    long[] yShape = TestGraphs.outputShape(op, attributes, xShape, wShape, weightSecond);
    long inner = 1;
    for (int d = outputAxis + 1; d < yShape.length; d++) {
      inner *= yShape[d];
    }
    for (int i = 0; i < expected.length; i++) {
      int channel = (int) ((i / inner) % yShape[outputAxis]);
      float bound = l1 * scales[channel] / 2 * 1.001f + 1e-6f;
      float error = Math.abs(actual[i] - expected[i]);
      assertTrue(error <= bound, op + " output " + i + " (channel " + channel + ") moved " + error + " > " + bound);
    }
  }

  /** Random values whose channel c along {@code axis} is scaled by 10^(c mod 4 - 2). */
  private static float[] channelScaledWeight(long[] shape, int axis) {
    int n = product(shape);
    long inner = 1;
    for (int d = axis + 1; d < shape.length; d++) {
      inner *= shape[d];
    }
    Random random = new Random(3);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      int channel = (int) ((i / inner) % shape[axis]);
      w[i] = (float) ((random.nextDouble() * 2 - 1) * Math.pow(10, channel % 4 - 2));
    }
    return w;
  }

  private static float[] run(Path model, float[] x, long[] shape) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model.toString(), options);
          OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
          OrtSession.Result result = session.run(Map.of("x", input))) {
        FloatBuffer y = ((OnnxTensor) result.get(0)).getFloatBuffer();
        float[] out = new float[y.remaining()];
        y.get(out);
        return out;
      }
    }
  }

  private static AttributeProto attr(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  private static int product(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return (int) n;
  }
}
