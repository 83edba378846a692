package org.diffusionbatch.core.metrics;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffusionbatch.core.model.ModelException;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.model.SingleGraphModel;
import org.diffusionbatch.core.model.TensorSpec;
import org.diffusionbatch.core.tokenizer.ClipEncoding;
import org.diffusionbatch.core.tokenizer.ClipTokenizer;

/**
 * CLIP's image and text encoders from an Optimum export of a CLIP model
 * ({@code optimum-cli export onnx --model openai/clip-vit-base-patch32 DIR}): one
 * {@code model.onnx} taking {@code input_ids}, {@code pixel_values} and {@code attention_mask}
 * and giving {@code text_embeds} and {@code image_embeds}, with {@code preprocessor_config.json}
 * and the tokenizer files beside it. Images and prompts go through one call as pairs, and
 * {@link ClipScore} turns their embeddings into torchmetrics' CLIP score. Thread-safe.
 */
public final class ClipEncoders implements AutoCloseable {
  static final String INPUT_IDS = "input_ids";
  static final String PIXEL_VALUES = "pixel_values";
  static final String ATTENTION_MASK = "attention_mask";
  static final String IMAGE_EMBEDS = "image_embeds";
  static final String TEXT_EMBEDS = "text_embeds";

  private final SingleGraphModel model;
  private final ClipImageProcessor processor;
  private final ClipTokenizer tokenizer;
  private final boolean takesMask;
  private final String uri;
  private final int dimension;

  private ClipEncoders(SingleGraphModel model, ClipImageProcessor processor, ClipTokenizer tokenizer, String uri) {
    this.model = model;
    this.processor = processor;
    this.tokenizer = tokenizer;
    this.takesMask = model.inputs().containsKey(ATTENTION_MASK);
    this.uri = uri;
    this.dimension = probe();
  }

  /**
   * Loads the export and checks, with one call, that it can be fed and run.
   *
   * @throws ModelException naming the model, the input or output and what to do
   */
  public static ClipEncoders load(ModelOptions options) {
    SingleGraphModel model = SingleGraphModel.load(options, "CLIP");
    try {
      checkGraph(model, options.uri());
      ClipImageProcessor processor;
      try {
        processor = ClipImageProcessor.read(model.directory());
      } catch (IllegalArgumentException e) {
        throw new ModelException(e.getMessage(), e);
      }
      Path dir = model.directory();
      Path tokenizerDir = Files.isRegularFile(dir.resolve("vocab.json")) ? dir : dir.resolve("tokenizer");
      if (!Files.isRegularFile(tokenizerDir.resolve("vocab.json"))) {
        throw new ModelException("CLIP model " + options.uri() + " has no tokenizer (vocab.json and merges.txt in " + dir
            + " or " + dir.resolve("tokenizer") + "); Optimum's export writes them beside model.onnx");
      }
      return new ClipEncoders(model, processor, ClipTokenizer.fromDirectory(tokenizerDir), options.uri());
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  private static void checkGraph(SingleGraphModel model, String uri) {
    Map<String, TensorSpec> inputs = model.inputs();
    for (TensorSpec input : inputs.values()) {
      String name = input.name();
      boolean known = name.equals(INPUT_IDS) || name.equals(PIXEL_VALUES) || name.equals(ATTENTION_MASK);
      if (!known) {
        throw new ModelException("CLIP model " + uri + " input " + input + " cannot be fed: diffusion-batch feeds "
            + INPUT_IDS + ", " + PIXEL_VALUES + " and " + ATTENTION_MASK + " (Optimum's CLIP export)");
      }
    }
    for (String name : List.of(INPUT_IDS, PIXEL_VALUES)) {
      if (!inputs.containsKey(name)) {
        throw new ModelException("CLIP model " + uri + " has no input '" + name + "'; its inputs are " + inputs.values()
            + "; export the whole CLIP model with optimum-cli export onnx --model <clip model> <folder>");
      }
    }
    TensorSpec pixels = inputs.get(PIXEL_VALUES);
    if (pixels.rank() != 4 || !(pixels.type() == DataType.FLOAT32 || pixels.type() == DataType.FLOAT16)) {
      throw new ModelException("CLIP model " + uri + " input " + pixels + " cannot be fed: expected float32 or float16"
          + " [batch, 3, height, width]");
    }
    for (String name : List.of(INPUT_IDS, ATTENTION_MASK)) {
      TensorSpec ids = inputs.get(name);
      if (ids != null && (ids.rank() != 2 || !(ids.type() == DataType.INT64 || ids.type() == DataType.INT32))) {
        throw new ModelException("CLIP model " + uri + " input " + ids + " cannot be fed: expected int64 or int32 [batch, sequence]");
      }
    }
    for (String name : List.of(IMAGE_EMBEDS, TEXT_EMBEDS)) {
      if (!model.outputs().containsKey(name)) {
        throw new ModelException("CLIP model " + uri + " has no output '" + name + "'; its outputs are "
            + model.outputs().values() + "; export the whole CLIP model with optimum-cli (task feature-extraction)");
      }
    }
  }

  private int probe() {
    int[] size = processor.outputSize(processor.cropHeight(), processor.cropWidth());
    byte[] grey = new byte[3 * size[0] * size[1]];
    java.util.Arrays.fill(grey, (byte) 128);
    try {
      return embed(List.of(new RgbImage(size[1], size[0], grey)), List.of("a photo")).dimension();
    } catch (RuntimeException e) {
      throw new ModelException("CLIP model " + uri + " fails on a grey image and a short prompt: " + e.getMessage(), e);
    }
  }

  /** Length of the shared embedding. */
  public int dimension() {
    return dimension;
  }

  public String uri() {
    return uri;
  }

  public String digest() {
    return model.digest();
  }

  /**
   * The embeddings of a batch of pairs, {@code dimension} values per row, rows in the pairs' order:
   * what {@link ClipScore} takes.
   */
  public record Embeddings(float[] image, float[] text, int dimension) {}

  /**
   * Embeds each image and its prompt in one call.
   *
   * @throws IllegalArgumentException when the lists differ in length or are empty
   */
  public Embeddings embed(List<RgbImage> images, List<String> prompts) {
    if (images.size() != prompts.size() || images.isEmpty()) {
      throw new IllegalArgumentException(images.size() + " images and " + prompts.size()
          + " prompts; CLIP embeds pairs, at least one");
    }
    float[][] out = run(images, prompts);
    int d = out[0].length / images.size();
    if (out[1].length != out[0].length) {
      throw new ModelException("CLIP model " + uri + " gave " + d + " image values but " + out[1].length / images.size()
          + " text values per pair; image_embeds and text_embeds must share one space");
    }
    return new Embeddings(out[0], out[1], d);
  }

  private float[][] run(List<RgbImage> images, List<String> prompts) {
    int n = images.size();
    int[] first = processor.outputSize(images.get(0).height(), images.get(0).width());
    int plane = first[0] * first[1];
    float[] pixels = new float[n * 3 * plane];
    for (int i = 0; i < n; i++) {
      RgbImage image = images.get(i);
      int[] size = processor.outputSize(image.height(), image.width());
      if (size[0] != first[0] || size[1] != first[1]) {
        throw new IllegalArgumentException("images of different shapes in one CLIP batch (" + first[0] + "x" + first[1]
            + " and " + size[0] + "x" + size[1] + ") and no center crop in " + ClipImageProcessor.FILE_NAME);
      }
      processor.pixelValues(image, pixels, i * 3 * plane);
    }
    int length = tokenizer.maxLength();
    long[] ids = new long[n * length];
    long[] mask = new long[n * length];
    for (int i = 0; i < n; i++) {
      ClipEncoding encoding = tokenizer.encode(prompts.get(i));
      for (int k = 0; k < length; k++) {
        ids[i * length + k] = encoding.ids()[k];
        mask[i * length + k] = encoding.attentionMask()[k];
      }
    }
    List<SingleGraphModel.Input> inputs = new ArrayList<>();
    inputs.add(SingleGraphModel.Input.integers(INPUT_IDS, ids, n, length));
    inputs.add(SingleGraphModel.Input.floats(PIXEL_VALUES, pixels, n, 3, first[0], first[1]));
    if (takesMask) {
      inputs.add(SingleGraphModel.Input.integers(ATTENTION_MASK, mask, n, length));
    }
    Map<String, float[]> out = model.run(inputs, List.of(IMAGE_EMBEDS, TEXT_EMBEDS));
    return new float[][] {out.get(IMAGE_EMBEDS), out.get(TEXT_EMBEDS)};
  }

  @Override
  public void close() {
    model.close();
  }
}
