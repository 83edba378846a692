package org.diffusionbatch.core.model;

import ai.djl.ndarray.NDList;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model that is one ONNX graph, such as an image feature extractor or an Optimum CLIP export,
 * found and loaded like the diffusion models' parts: a {@code .onnx} file, a folder holding
 * {@code model.onnx}, or an {@code s3://} prefix holding it (downloaded once into the model cache).
 * Its inputs and outputs are as the graph declares them. Thread-safe, like the graph it wraps.
 */
public final class SingleGraphModel implements AutoCloseable {
  /** The graph file looked for in a model folder, as Optimum names it. */
  public static final String GRAPH_FILE = "model.onnx";

  private final OnnxGraph graph;
  private final Path directory;
  private final String digest;

  private SingleGraphModel(OnnxGraph graph, Path directory, String digest) {
    this.graph = graph;
    this.directory = directory;
    this.digest = digest;
  }

  /** One named input of a call: float data (fed as float32 or float16, as the graph declares) or integers. */
  public record Input(String name, float[] floats, long[] integers, long[] shape) {
    public static Input floats(String name, float[] data, long... shape) {
      return new Input(name, data, null, shape);
    }

    public static Input integers(String name, long[] data, long... shape) {
      return new Input(name, null, data, shape);
    }
  }

  /**
   * Finds and loads the graph.
   *
   * @param role what the model is for, e.g. "feature", named in error messages
   * @throws ModelException naming the file and what to do when it is missing or ONNX Runtime cannot load it
   */
  public static SingleGraphModel load(ModelOptions options, String role) {
    ModelSource.Resolved source = ModelSource.resolve(options);
    Path given = source.directory();
    Path file;
    if (Files.isRegularFile(given)) {
      file = given;
    } else if (Files.isDirectory(given)) {
      file = given.resolve(GRAPH_FILE);
      if (!Files.isRegularFile(file)) {
        throw new ModelException(role + " model folder " + given + " has no " + GRAPH_FILE
            + "; give a .onnx file or a folder holding " + GRAPH_FILE);
      }
    } else {
      throw new ModelException(role + " model " + options.uri() + " does not exist; give a .onnx file, a folder"
          + " holding " + GRAPH_FILE + ", or an s3:// prefix holding it");
    }
    Path directory = file.getParent();
    OnnxGraph graph = OnnxGraph.load(file, directory.getFileName() == null ? role : directory.getFileName().toString(),
        directory.getParent() == null ? directory : directory.getParent(), options);
    String digest = source.digest() != null ? source.digest()
        : Files.isDirectory(given) ? ModelDigest.of(given) : fileDigest(file);
    return new SingleGraphModel(graph, directory, digest);
  }

  /** SHA-256 of a single graph file and its external weights (model.onnx_data style) when present. */
  private static String fileDigest(Path file) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 20];
      for (Path part : List.of(file, file.resolveSibling(file.getFileName() + "_data"))) {
        if (!Files.isRegularFile(part)) {
          continue;
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(part), sha)) {
          while (in.read(buffer) != -1) {
            // DigestInputStream hashes as it reads
          }
        }
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " to compute its digest: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /** The folder holding the graph, where side files (configs, tokenizer) are looked for. */
  public Path directory() {
    return directory;
  }

  public Path file() {
    return graph.file();
  }

  /** SHA-256 of the model folder's files ({@link ModelDigest}), or of the graph file when a file was given. */
  public String digest() {
    return digest;
  }

  public Map<String, TensorSpec> inputs() {
    return graph.inputs();
  }

  public Map<String, TensorSpec> outputs() {
    return graph.outputs();
  }

  /**
   * Runs the graph once and returns the named outputs as float32 values (float16 outputs converted).
   *
   * @throws IllegalArgumentException when an input is not the graph's or does not fit its declared shape
   */
  public Map<String, float[]> run(List<Input> inputs, List<String> outputNames) {
    for (Input input : inputs) {
      TensorSpec spec = spec(input.name());
      graph.checkShape(spec, input.shape());
    }
    for (String name : outputNames) {
      if (!graph.outputs().containsKey(name)) {
        throw new IllegalArgumentException(file() + " has no output '" + name + "'; its outputs are " + graph.outputs().values());
      }
    }
    // In the graph's declared order, whatever order the caller gave.
    List<String> order = List.copyOf(graph.inputs().keySet());
    List<Input> ordered = inputs.stream().sorted(Comparator.comparingInt(i -> order.indexOf(i.name()))).toList();
    return graph.run(m -> {
      NDList list = new NDList();
      for (Input input : ordered) {
        TensorSpec spec = spec(input.name());
        list.add(input.floats() != null
            ? Tensors.floats(m, spec, input.floats(), input.shape())
            : Tensors.integers(m, spec, input.integers(), input.shape()));
      }
      return list;
    }, outputs -> {
      Map<String, float[]> values = new LinkedHashMap<>();
      for (String name : outputNames) {
        values.put(name, Tensors.toFloats(outputs.get(name)));
      }
      return values;
    });
  }

  private TensorSpec spec(String name) {
    TensorSpec spec = graph.inputs().get(name);
    if (spec == null) {
      throw new IllegalArgumentException(file() + " has no input '" + name + "'; its inputs are " + graph.inputs().values());
    }
    return spec;
  }

  @Override
  public String toString() {
    return file() + " (inputs " + graph.inputs().values() + ", outputs " + graph.outputs().values() + ")";
  }

  @Override
  public void close() {
    graph.close();
  }
}
