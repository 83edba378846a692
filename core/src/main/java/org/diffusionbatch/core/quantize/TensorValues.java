package org.diffusionbatch.core.quantize;

import ai.onnxruntime.platform.Fp16Conversions;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorProto.DataType;
import org.diffusionbatch.core.model.ModelException;

/** ONNX tensors to Java arrays and back, in ONNX's little-endian raw_data layout. */
final class TensorValues {
  private TensorValues() {}

  static long elementCount(TensorProto t) {
    long n = 1;
    for (long d : t.getDimsList()) {
      n *= d;
    }
    return n;
  }

  static long[] dims(TensorProto t) {
    return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
  }

  static boolean isFloating(int dataType) {
    return dataType == DataType.FLOAT_VALUE || dataType == DataType.FLOAT16_VALUE || dataType == DataType.DOUBLE_VALUE;
  }

  static float[] floatsFromBytes(int dataType, ByteBuffer bytes, int n, String name) {
    float[] out = new float[n];
    ByteBuffer le = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    switch (dataType) {
      case DataType.FLOAT_VALUE -> le.asFloatBuffer().get(out);
      case DataType.FLOAT16_VALUE -> {
        for (int i = 0; i < n; i++) {
          out[i] = Fp16Conversions.fp16ToFloat(le.getShort(le.position() + 2 * i));
        }
      }
      case DataType.DOUBLE_VALUE -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) le.getDouble(le.position() + 8 * i);
        }
      }
      default -> throw new ModelException("tensor '" + name + "' is " + DataType.forNumber(dataType) + ", not a float type");
    }
    return out;
  }

  /** Values kept in the typed fields instead of raw_data (float16 lives in int32_data, one value each). */
  static float[] floatsFromFields(TensorProto t, int n) {
    float[] out = new float[n];
    switch (t.getDataType()) {
      case DataType.FLOAT_VALUE -> {
        for (int i = 0; i < n; i++) {
          out[i] = t.getFloatData(i);
        }
      }
      case DataType.FLOAT16_VALUE -> {
        for (int i = 0; i < n; i++) {
          out[i] = Fp16Conversions.fp16ToFloat((short) t.getInt32Data(i));
        }
      }
      case DataType.DOUBLE_VALUE -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) t.getDoubleData(i);
        }
      }
      default -> throw new ModelException("tensor '" + t.getName() + "' is " + DataType.forNumber(t.getDataType())
          + ", not a float type");
    }
    return out;
  }

  static TensorProto int8(String name, long[] dims, byte[] values) {
    return tensor(name, DataType.INT8, dims, ByteString.copyFrom(values));
  }

  static TensorProto int32(String name, long[] dims, int[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asIntBuffer().put(values);
    return tensor(name, DataType.INT32, dims, ByteString.copyFrom(bytes));
  }

  /** Floats as a FLOAT or FLOAT16 tensor. */
  static TensorProto floats(String name, DataType type, long[] dims, float[] values) {
    if (type == DataType.FLOAT16) {
      ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : values) {
        bytes.putShort(Fp16Conversions.floatToFp16(v));
      }
      return tensor(name, type, dims, ByteString.copyFrom(bytes.flip()));
    }
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return tensor(name, DataType.FLOAT, dims, ByteString.copyFrom(bytes));
  }

  private static TensorProto tensor(String name, DataType type, long[] dims, ByteString raw) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(type.getNumber()).setRawData(raw);
    for (long d : dims) {
      b.addDims(d);
    }
    return b.build();
  }
}
