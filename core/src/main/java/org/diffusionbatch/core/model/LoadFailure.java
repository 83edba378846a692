package org.diffusionbatch.core.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Turns ONNX Runtime's load errors into messages that name the file and say what to do. */
final class LoadFailure {
  private LoadFailure() {}

  static ModelException explain(Path file, String part, Path modelDir, ModelOptions options, Exception e) {
    String cause = OnnxGraph.rootMessage(e);
    String lower = cause.toLowerCase(Locale.ROOT);
    String name = part + "/model.onnx";
    if (options.gpu() != null && (lower.contains("cuda") || lower.contains("provider") || lower.contains("gpu"))) {
      return new ModelException("cannot run " + name + " on GPU " + options.gpu() + ": " + cause + ". The GPU needs"
          + " com.microsoft.onnxruntime:onnxruntime_gpu:1.21.1 on the classpath instead of"
          + " com.microsoft.onnxruntime:onnxruntime, and CUDA 12 with cuDNN 9 installed (see docs/models.md);"
          + " or run on the CPU (no GPU option)", e);
    }
    if (lower.contains("onnx_data") || lower.contains("external data") || lower.contains("external initializer")
        || lower.contains("externaldata")) {
      return new ModelException(name + " in " + modelDir + " keeps its weights in an external file beside it"
          + " (usually model.onnx_data) that is missing, truncated or corrupt: " + cause
          + "; copy or download that file next to model.onnx again", e);
    }
    if (lower.contains("protobuf") || lower.contains("invalid_protobuf") || lower.contains("parse")
        || isTiny(file)) {
      return new ModelException(name + " in " + modelDir + " is truncated or corrupt (ONNX Runtime: " + cause
          + "); re-export the model or download it again", e);
    }
    return new ModelException("ONNX Runtime cannot load " + name + " in " + modelDir + ": " + cause
        + "; check that it is an ONNX export ONNX Runtime 1.21 can run (" + ModelLayout.EXPORT_HINT + ")", e);
  }

  private static boolean isTiny(Path file) {
    try {
      return Files.size(file) < 16;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
