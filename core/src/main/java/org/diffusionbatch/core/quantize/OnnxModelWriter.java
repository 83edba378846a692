package org.diffusionbatch.core.quantize;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;

/**
 * Writes a graph as {@code model.onnx}, with its larger initializers in {@code model.onnx_data}
 * beside it when asked (as Optimum writes models over protobuf's 2 GB limit). Initializers still
 * held in the source model's external file are copied over one at a time.
 */
final class OnnxModelWriter {
  static final String DATA_FILE = "model.onnx_data";
  /** As onnx.save_model's size_threshold: smaller tensors stay inline. */
  private static final int EXTERNAL_THRESHOLD = 1024;
  /** Offsets aligned so ONNX Runtime can map tensors straight from the file. */
  private static final int ALIGNMENT = 64;
  /** Above this the graph cannot be one protobuf message: weights go external whatever the source did. */
  static final long INLINE_LIMIT = 1_900_000_000L;

  private OnnxModelWriter() {}

  /**
   * @param source where tensors still marked external are read from
   * @param external write initializers of 1 KiB or more to {@value #DATA_FILE}; else every tensor inline
   */
  static void write(ModelProto model, OnnxModelFile source, Path file, boolean external) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    GraphProto.Builder graph = model.getGraph().toBuilder();
    if (external) {
      Path data = file.resolveSibling(DATA_FILE);
      try (FileChannel out = FileChannel.open(data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        for (int i = 0; i < graph.getInitializerCount(); i++) {
          TensorProto t = graph.getInitializer(i);
          ByteBuffer bytes = OnnxModelFile.isExternal(t) ? source.externalBytes(t)
              : t.hasRawData() && t.getRawData().size() >= EXTERNAL_THRESHOLD ? t.getRawData().asReadOnlyByteBuffer() : null;
          if (bytes == null) {
            continue;
          }
          long offset = align(out.position());
          long length = bytes.remaining();
          out.position(offset);
          while (bytes.hasRemaining()) {
            out.write(bytes);
          }
          graph.setInitializer(i, t.toBuilder().clearRawData().clearExternalData()
              .setDataLocation(TensorProto.DataLocation.EXTERNAL)
              .addExternalData(entry("location", DATA_FILE))
              .addExternalData(entry("offset", Long.toString(offset)))
              .addExternalData(entry("length", Long.toString(length))));
        }
      }
    } else {
      for (int i = 0; i < graph.getInitializerCount(); i++) {
        TensorProto t = graph.getInitializer(i);
        if (OnnxModelFile.isExternal(t)) {
          graph.setInitializer(i, t.toBuilder().clearExternalData().setDataLocation(TensorProto.DataLocation.DEFAULT)
              .setRawData(ByteString.copyFrom(source.externalBytes(t))));
        }
      }
    }
    ModelProto out = model.toBuilder().setGraph(graph).build();
    try (OutputStream stream = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      CodedOutputStream coded = CodedOutputStream.newInstance(stream);
      out.writeTo(coded);
      coded.flush();
    }
  }

  private static long align(long position) {
    return (position + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  private static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }
}
