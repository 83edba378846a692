package org.diffusionbatch.core.quantize;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import onnx.Onnx.ModelProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import org.diffusionbatch.core.model.ModelException;

/**
 * One ONNX graph file as protobuf, with its external data (model.onnx_data) found beside it. The
 * weights held in external files are read one tensor at a time, so a model larger than the heap
 * can be quantized.
 */
final class OnnxModelFile {
  private final Path file;
  private final ModelProto model;

  private OnnxModelFile(Path file, ModelProto model) {
    this.file = file;
    this.model = model;
  }

  /** Parses {@code file}; a {@link ModelException} saying what is wrong when it is not an ONNX model. */
  static OnnxModelFile read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      CodedInputStream coded = CodedInputStream.newInstance(in);
      coded.setSizeLimit(Integer.MAX_VALUE); // protobuf's own limit: a file over 2 GB must use external data
      ModelProto model = ModelProto.parseFrom(coded);
      if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
        throw new ModelException(file + " is not an ONNX model (no graph in it); re-export the model");
      }
      return new OnnxModelFile(file, model);
    } catch (InvalidProtocolBufferException e) {
      throw new ModelException("cannot read " + file + ": it is not an ONNX model (" + e.getMessage()
          + "); re-export or re-download the model", e);
    } catch (IOException e) {
      throw new ModelException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  Path file() {
    return file;
  }

  Path directory() {
    return file.toAbsolutePath().getParent();
  }

  ModelProto model() {
    return model;
  }

  /** True when any initializer keeps its data in another file. */
  boolean hasExternalData() {
    return model.getGraph().getInitializerList().stream().anyMatch(OnnxModelFile::isExternal);
  }

  /** The external data files the initializers name, relative to the model's folder. */
  Set<String> externalFiles() {
    Set<String> files = new HashSet<>();
    for (TensorProto t : model.getGraph().getInitializerList()) {
      if (isExternal(t)) {
        files.add(externalField(t, "location"));
      }
    }
    return files;
  }

  static boolean isExternal(TensorProto t) {
    return t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
  }

  /** The tensor's values as float, for FLOAT, FLOAT16 and DOUBLE tensors wherever their bytes are. */
  float[] floats(TensorProto t) {
    int n = Math.toIntExact(TensorValues.elementCount(t));
    if (isExternal(t) || t.hasRawData()) {
      ByteBuffer bytes = isExternal(t) ? externalBytes(t) : t.getRawData().asReadOnlyByteBuffer();
      return TensorValues.floatsFromBytes(t.getDataType(), bytes.order(ByteOrder.LITTLE_ENDIAN), n, t.getName());
    }
    return TensorValues.floatsFromFields(t, n);
  }

  /** The bytes of an external tensor (little-endian, as ONNX stores them). */
  ByteBuffer externalBytes(TensorProto t) {
    String location = externalField(t, "location");
    if (location == null) {
      throw new ModelException(file + ": tensor '" + t.getName() + "' says its data is external but names no file");
    }
    Path data = directory().resolve(location).normalize();
    if (!data.startsWith(directory())) {
      throw new ModelException(file + ": tensor '" + t.getName() + "' points outside the model folder (" + location + ")");
    }
    String offsetField = externalField(t, "offset");
    String lengthField = externalField(t, "length");
    try (FileChannel channel = FileChannel.open(data, StandardOpenOption.READ)) {
      long offset = offsetField == null ? 0 : Long.parseLong(offsetField);
      long length = lengthField == null ? channel.size() - offset : Long.parseLong(lengthField);
      if (offset < 0 || length < 0 || offset + length > channel.size()) {
        throw new ModelException(file + ": tensor '" + t.getName() + "' reaches past the end of " + location
            + " (offset " + offset + ", length " + length + ", file " + channel.size() + " bytes); the file is truncated");
      }
      ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(length));
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, offset + buffer.position()) < 0) {
          throw new ModelException(file + ": " + location + " ended early reading tensor '" + t.getName() + "'");
        }
      }
      return buffer.flip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the weights of " + file + " from " + data + ": " + e.getMessage(), e);
    }
  }

  static String externalField(TensorProto t, String key) {
    List<StringStringEntryProto> entries = t.getExternalDataList();
    for (StringStringEntryProto e : entries) {
      if (e.getKey().equals(key)) {
        return e.getValue();
      }
    }
    return null;
  }
}
