package org.diffusionbatch.core.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Both modes on the real-architecture models of shared/reference/pipelines (diffusers' UNet, VAE
 * and CLIP classes with random weights, exported as Optimum does): the UNet shrinks, the QDQ graph
 * has a QuantizeLinear/DequantizeLinear pair on every activation it lists, ONNX Runtime turns those
 * into integer kernels, and the image stays close to the float model's.
 */
class RealArchitectureQuantizationTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"tiny-real-sd, weights-int8, 281", "tiny-real-sd, int8, 281", "tiny-real-sd2, weights-int8, 281",
      "tiny-real-lcm, weights-int8, 282"})
  void quantizedUnetIsSmallerRunsAndDrawsCloseToTheFloatModel(String name, String mode, int weights) throws Exception {
    int steps = 4;
    Path source = Quantizing.real(name);
    assumeTrue(source != null, "skipped: ../shared/reference/pipelines/models/" + name + " is absent");
    Path out = dir.resolve(name + "-" + mode);
    QuantizationReport report = ModelQuantizer.quantize(mode.equals("int8")
        ? Quantizing.int8(source, out, List.of("unet"), List.of("a photograph of an astronaut riding a horse"), 2)
        : Quantizing.weightsInt8(source, out, List.of("unet")));
    QuantizationReport.Graph unet = report.graphs().get("unet");
    assertEquals(weights, unet.weights().size(), "97 Conv, 24 Gemm, 160 MatMul weights (+1 Gemm for LCM's timestep_cond)");
    double ratio = (double) unet.bytesAfter() / unet.bytesBefore();
    assertTrue(ratio < (mode.equals("int8") ? 0.45 : 0.40), "unet " + unet.bytesBefore() + " -> " + unet.bytesAfter());

    ModelProto graph = ModelProto.parseFrom(Files.readAllBytes(out.resolve("unet/model.onnx")));
    if (mode.equals("int8")) {
      checkQdqPairs(graph, unet.activations().keySet());
      Map<String, Integer> fused = optimizedOps(out.resolve("unet/model.onnx"));
      System.out.println("QDQ " + name + ": ONNX Runtime CPU kernels after optimization: " + fused);
      assertTrue(fused.getOrDefault("QLinearConv", 0) > 0, "ONNX Runtime fused no Conv into QLinearConv: " + fused);
    } else if (name.equals("tiny-real-sd")) {
      System.out.println("W8 " + name + ": ONNX Runtime CPU kernels after optimization: "
          + optimizedOps(out.resolve("unet/model.onnx")));
    }

    byte[] before = Quantizing.image(source, "a photograph of an astronaut riding a horse", steps, 128);
    byte[] after = Quantizing.image(out, "a photograph of an astronaut riding a horse", steps, 128);
    double[] diff = Quantizing.pixelDifference(before, after);
    System.out.printf("QUANTIZE %s %s: unet %d -> %d bytes (%.0f%%); pixels mean %.3f max %.0f (of 255)%n", name, mode,
        unet.bytesBefore(), unet.bytesAfter(), 100 * ratio, diff[0], diff[1]);
    // Random-weight models put out noise-like images with strong local contrast, which shows any change.
    assertTrue(diff[0] < (mode.equals("int8") ? 12 : 4), name + " " + mode + ": mean pixel difference " + diff[0]);
  }

  /** Every listed activation X: X -> QuantizeLinear -> DequantizeLinear, and every Conv/MatMul/Gemm reads only dequantized inputs. */
  private static void checkQdqPairs(ModelProto model, java.util.Set<String> activations) {
    Map<String, NodeProto> producer = new HashMap<>();
    Map<String, List<NodeProto>> consumers = new HashMap<>();
    for (NodeProto n : model.getGraph().getNodeList()) {
      n.getOutputList().forEach(o -> producer.put(o, n));
      for (String i : n.getInputList()) {
        consumers.computeIfAbsent(i, k -> new java.util.ArrayList<>()).add(n);
      }
    }
    for (String x : activations) {
      NodeProto q = consumers.getOrDefault(x, List.of()).stream().filter(n -> n.getOpType().equals("QuantizeLinear"))
          .findFirst().orElseThrow(() -> new AssertionError("no QuantizeLinear reads " + x));
      List<NodeProto> after = consumers.get(q.getOutput(0));
      assertEquals(1, after.size(), x);
      assertEquals("DequantizeLinear", after.get(0).getOpType(), x);
      assertEquals(q.getInput(1), after.get(0).getInput(1), "pair of " + x + " shares its scale");
    }
    int ops = 0;
    for (NodeProto n : model.getGraph().getNodeList()) {
      if (n.getOpType().equals("Conv") || n.getOpType().equals("MatMul") || n.getOpType().equals("Gemm")) {
        ops++;
        for (String input : n.getInputList()) {
          NodeProto p = producer.get(input);
          assertTrue(p != null && p.getOpType().equals("DequantizeLinear"), n.getName() + " reads " + input
              + " from " + (p == null ? "an initializer or input" : p.getOpType()));
        }
      }
    }
    assertEquals(345, ops);
  }

  /** Op counts of the graph ONNX Runtime's CPU provider actually runs (ALL_OPT), from its saved optimized model. */
  private Map<String, Integer> optimizedOps(Path model) throws Exception {
    Path optimized = dir.resolve("optimized-" + System.nanoTime() + ".onnx");
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setOptimizedModelFilePath(optimized.toString());
      OrtEnvironment.getEnvironment().createSession(model.toString(), options).close();
    }
    Map<String, Integer> counts = new TreeMap<>();
    for (NodeProto n : ModelProto.parseFrom(Files.readAllBytes(optimized)).getGraph().getNodeList()) {
      if (n.getOpType().startsWith("Q") || n.getOpType().contains("Integer") || n.getOpType().equals("DequantizeLinear")
          || n.getOpType().equals("Conv") || n.getOpType().equals("MatMul") || n.getOpType().equals("FusedConv")
          || n.getOpType().equals("FusedMatMul") || n.getOpType().equals("Gemm")) {
        counts.merge(n.getOpType(), 1, Integer::sum);
      }
    }
    return counts;
  }
}
