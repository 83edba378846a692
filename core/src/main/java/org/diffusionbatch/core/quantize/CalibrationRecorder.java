package org.diffusionbatch.core.quantize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diffusionbatch.core.model.GraphInputListener;

/**
 * Records what the pipeline feeds each graph, one file per call, so calibration replays exactly
 * the real inputs (dtype, shape, timestep form) without holding a whole run's tensors in memory.
 */
final class CalibrationRecorder implements GraphInputListener {
  private final Path dir;
  private final Set<String> parts;
  private final Map<String, List<Path>> calls = new HashMap<>();

  CalibrationRecorder(Path dir, Set<String> parts) {
    this.dir = dir;
    this.parts = parts;
  }

  @Override
  public synchronized void fed(String part, NDList inputs) {
    if (!parts.contains(part)) {
      return;
    }
    List<Path> files = calls.computeIfAbsent(part, k -> new ArrayList<>());
    Path file = dir.resolve(String.format("%s-%06d.bin", part, files.size()));
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(inputs.size());
      for (NDArray array : inputs) {
        out.writeUTF(array.getName());
        out.writeUTF(javaType(array.getDataType(), part).name());
        long[] shape = array.getShape().getShape();
        out.writeInt(shape.length);
        for (long d : shape) {
          out.writeLong(d);
        }
        ByteBuffer bytes = array.toByteBuffer();
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        out.writeInt(copy.length);
        out.write(copy);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record a calibration call of " + part + " in " + dir + ": " + e.getMessage(), e);
    }
    files.add(file);
  }

  /** The recorded calls of one graph, in the order the pipeline made them. */
  synchronized List<Path> calls(String part) {
    return List.copyOf(calls.getOrDefault(part, List.of()));
  }

  /** One recorded call as ONNX Runtime tensors by input name; the caller closes them. */
  static Map<String, OnnxTensor> replay(Path file, OrtEnvironment env) throws IOException, OrtException {
    Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        OnnxJavaType type = OnnxJavaType.valueOf(in.readUTF());
        long[] shape = new long[in.readInt()];
        for (int d = 0; d < shape.length; d++) {
          shape[d] = in.readLong();
        }
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
        buffer.put(bytes).flip();
        tensors.put(name, OnnxTensor.createTensor(env, buffer, shape, type));
      }
    } catch (IOException | OrtException | RuntimeException e) {
      tensors.values().forEach(OnnxTensor::close);
      throw e;
    }
    return tensors;
  }

  private static OnnxJavaType javaType(DataType type, String part) {
    return switch (type) {
      case FLOAT32 -> OnnxJavaType.FLOAT;
      case FLOAT16 -> OnnxJavaType.FLOAT16;
      case FLOAT64 -> OnnxJavaType.DOUBLE;
      case INT64 -> OnnxJavaType.INT64;
      case INT32 -> OnnxJavaType.INT32;
      case INT8 -> OnnxJavaType.INT8;
      case UINT8 -> OnnxJavaType.UINT8;
      case BOOLEAN -> OnnxJavaType.BOOL;
      default -> throw new IllegalStateException(part + " was fed a " + type + " tensor, which calibration cannot replay");
    };
  }
}
