package org.diffusionbatch.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/**
 * Java arrays to named NDArrays of the element type a graph declares, and back to float[].
 * Only creation and conversion: DJL's ONNX Runtime arrays do no arithmetic natively.
 */
final class Tensors {
  private Tensors() {}

  /** Floats as a FLOAT32 or FLOAT16 (converted here) array named for the graph input. */
  static NDArray floats(NDManager manager, TensorSpec spec, float[] data, long... shape) {
    NDArray array;
    if (spec.type() == DataType.FLOAT16) {
      return halves(manager, spec, toHalves(data, null), shape);
    } else if (spec.type() == DataType.FLOAT32) {
      array = manager.create(data, new Shape(shape));
    } else {
      throw new ModelException("graph input " + spec + " is not float16 or float32; diffusion-batch cannot feed it");
    }
    array.setName(spec.name());
    return array;
  }

  /** Float16 bytes (from {@link #toHalves}) as an array named for the graph input. */
  static NDArray halves(NDManager manager, TensorSpec spec, ByteBuffer halves, long... shape) {
    // duplicate(): the engine may move the buffer's position; callers may reuse the bytes.
    NDArray array = manager.create(halves.duplicate().order(ByteOrder.nativeOrder()), new Shape(shape), DataType.FLOAT16);
    array.setName(spec.name());
    return array;
  }

  /**
   * Floats converted to float16 (round to nearest even, as ONNX Runtime's MLAS; Java 20+'s intrinsic
   * when the JVM has it) in a direct native-order buffer, reusing {@code reuse} when it is big enough.
   */
  static ByteBuffer toHalves(float[] data, ByteBuffer reuse) {
    ByteBuffer buffer = reuse != null && reuse.capacity() == data.length * 2
        ? reuse : ByteBuffer.allocateDirect(data.length * 2).order(ByteOrder.nativeOrder());
    ShortBuffer halves = buffer.asShortBuffer();
    for (int i = 0; i < data.length; i++) {
      halves.put(i, Fp16Conversions.floatToFp16(data[i]));
    }
    return buffer;
  }

  /** Integers as the INT64 or INT32 array the graph input declares. */
  static NDArray integers(NDManager manager, TensorSpec spec, long[] data, long... shape) {
    NDArray array;
    if (spec.type() == DataType.INT64) {
      array = manager.create(data, new Shape(shape));
    } else if (spec.type() == DataType.INT32) {
      int[] ints = new int[data.length];
      for (int i = 0; i < data.length; i++) {
        ints[i] = Math.toIntExact(data[i]);
      }
      array = manager.create(ints, new Shape(shape));
    } else {
      throw new ModelException("graph input " + spec + " is not int64 or int32; diffusion-batch cannot feed it");
    }
    array.setName(spec.name());
    return array;
  }

  /** An output as float32 values, whatever its floating type. */
  static float[] toFloats(NDArray array) {
    DataType type = array.getDataType();
    if (type == DataType.FLOAT32) {
      return array.toFloatArray();
    }
    if (type == DataType.FLOAT16) {
      ShortBuffer halves = array.toByteBuffer().asShortBuffer();
      float[] out = new float[halves.remaining()];
      for (int i = 0; i < out.length; i++) {
        out[i] = Fp16Conversions.fp16ToFloat(halves.get(i));
      }
      return out;
    }
    throw new ModelException("graph output " + array.getName() + " is " + type + ", not float16 or float32");
  }
}
