package org.diffusionbatch.core.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.platform.Fp16Conversions;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the written graphs back with the protobuf classes alone (its own decoding of raw and
 * external data, ONNX's DequantizeLinear rule: axis 1 unless given) and checks every weight:
 * {@code |q x scale - w| <= scale / 2} per element, with the scale of its channel, and q in [-127, 127].
 */
class WrittenWeightsTest {
  @TempDir Path dir;

  @Test
  void float16WeightsBehindCastsDequantizeWithinHalfAStep() throws Exception {
    check(Quantizing.tiny("tiny-sd-fp16"), "unet", 1);
  }

  @Test
  void externalDataWeightsDequantizeWithinHalfAStep() throws Exception {
    check(Quantizing.tiny("tiny-sd-legacy"), "unet", 1);
  }

  @Test
  void realArchitectureWeightsDequantizeWithinHalfAStep() throws Exception {
    Path model = Quantizing.real("tiny-real-sd");
    assumeTrue(model != null, "skipped: ../shared/reference/pipelines/models/tiny-real-sd is absent");
    check(model, "unet", 281);
    check(model, "text_encoder", 30);
    check(model, "vae_decoder", 31);
  }

  private void check(Path source, String part, int expectedWeights) throws Exception {
    Path out = dir.resolve(source.getFileName() + "-" + part);
    ModelQuantizer.quantize(Quantizing.weightsInt8(source, out, List.of(part)));
    Path written = out.resolve(part).resolve("model.onnx");
    ModelProto model = ModelProto.parseFrom(Files.readAllBytes(written));
    ModelProto original = ModelProto.parseFrom(Files.readAllBytes(source.resolve(part).resolve("model.onnx")));
    Map<String, TensorProto> tensors = new HashMap<>();
    model.getGraph().getInitializerList().forEach(t -> tensors.put(t.getName(), t));
    Map<String, TensorProto> originals = new HashMap<>();
    original.getGraph().getInitializerList().forEach(t -> originals.put(t.getName(), t));
    Map<String, NodeProto> castOf = new HashMap<>();
    model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Cast")).forEach(n -> castOf.put(n.getInput(0), n));

    int checked = 0;
    for (NodeProto dq : model.getGraph().getNodeList()) {
      if (!dq.getOpType().equals("DequantizeLinear")) {
        continue;
      }
      TensorProto q = tensors.get(dq.getInput(0));
      assertEquals(TensorProto.DataType.INT8_VALUE, q.getDataType(), dq.getInput(0));
      String weightName = castOf.containsKey(dq.getOutput(0)) ? castOf.get(dq.getOutput(0)).getOutput(0) : dq.getOutput(0);
      TensorProto w = originals.get(weightName);
      assertTrue(w != null, "DequantizeLinear " + dq.getName() + " gives '" + weightName + "', not an original weight");
      float[] values = floats(w, source.resolve(part));
      float[] scales = floats(tensors.get(dq.getInput(1)), written.getParent());
      byte[] quantized = bytes(q, written.getParent());
      byte[] zeroPoints = bytes(tensors.get(dq.getInput(2)), written.getParent());
      long axis = 1;
      for (AttributeProto a : dq.getAttributeList()) {
        if (a.getName().equals("axis")) {
          axis = a.getI();
        }
      }
      assertEquals(values.length, quantized.length, weightName);
      long inner = 1;
      for (int d = (int) axis + 1; d < w.getDimsCount(); d++) {
        inner *= w.getDims(d);
      }
      for (int i = 0; i < values.length; i++) {
        int c = scales.length == 1 ? 0 : (int) ((i / inner) % w.getDims((int) axis));
        assertEquals(0, zeroPoints[scales.length == 1 ? 0 : c]);
        assertTrue(quantized[i] >= -127, weightName + "[" + i + "] = -128");
        float error = Math.abs(quantized[i] * scales[c] - values[i]);
        assertTrue(error <= scales[c] / 2 * (1 + 1e-5f),
            weightName + "[" + i + "] off by " + error + " with scale " + scales[c] + " (channel " + c + ")");
      }
      checked++;
    }
    assertEquals(expectedWeights, checked, part + " of " + source.getFileName());
    System.out.printf("WEIGHTS %s %s: %d weights within scale/2; %d -> %d bytes%n", source.getFileName(), part, checked,
        size(source.resolve(part)), size(out.resolve(part)));
  }

  private static long size(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith("model.onnx")).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static ByteBuffer data(TensorProto t, Path dir) throws IOException {
    if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
      return t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
    Map<String, String> fields = new HashMap<>();
    for (StringStringEntryProto e : t.getExternalDataList()) {
      fields.put(e.getKey(), e.getValue());
    }
    try (RandomAccessFile file = new RandomAccessFile(dir.resolve(fields.get("location")).toFile(), "r")) {
      byte[] bytes = new byte[Integer.parseInt(fields.get("length"))];
      file.seek(Long.parseLong(fields.getOrDefault("offset", "0")));
      file.readFully(bytes);
      return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  private static byte[] bytes(TensorProto t, Path dir) throws IOException {
    ByteBuffer b = data(t, dir);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static float[] floats(TensorProto t, Path dir) throws IOException {
    int n = 1;
    for (long d : t.getDimsList()) {
      n *= (int) d;
    }
    float[] out = new float[n];
    boolean raw = t.hasRawData() || t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    ByteBuffer b = raw ? data(t, dir) : null;
    for (int i = 0; i < n; i++) {
      if (t.getDataType() == TensorProto.DataType.FLOAT16_VALUE) {
        out[i] = Fp16Conversions.fp16ToFloat(raw ? b.getShort(2 * i) : (short) t.getInt32Data(i));
      } else {
        out[i] = raw ? b.getFloat(4 * i) : t.getFloatData(i);
      }
    }
    return out;
  }
}
