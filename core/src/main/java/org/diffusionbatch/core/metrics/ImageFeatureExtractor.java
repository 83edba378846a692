package org.diffusionbatch.core.metrics;

import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Map;
import org.diffusionbatch.core.model.ModelException;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.model.SingleGraphModel;
import org.diffusionbatch.core.model.TensorSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An image feature model (e.g. the FID Inception-v3's 2048-d pool3 features) over DJL's ONNX
 * Runtime engine: images in, one feature vector per image out. The graph's input is read from the
 * graph (name, float type, layout, size), {@link FeatureModelConfig} says how pixels are scaled,
 * and {@link Preprocessing} how images are brought to the input size. Everything that would stop
 * the model from running is checked at load, by one call on a grey image, so a job can refuse
 * before it starts. Thread-safe.
 */
public final class ImageFeatureExtractor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ImageFeatureExtractor.class);

  private final SingleGraphModel model;
  private final FeatureModelConfig config;
  private final TensorSpec input;
  private final String output;
  private final Integer height; // null: dynamic (preprocessing none)
  private final Integer width;
  private final int maxBatch; // 0 = any
  private final int dimension;
  private final String uri;

  private ImageFeatureExtractor(SingleGraphModel model, FeatureModelConfig config, TensorSpec input, String output,
      Integer height, Integer width, String uri) {
    this.model = model;
    this.config = config;
    this.input = input;
    this.output = output;
    this.height = height;
    this.width = width;
    this.maxBatch = input.fixedDim(0) == null ? 0 : input.fixedDim(0);
    this.uri = uri;
    this.dimension = probe();
  }

  /**
   * Loads the model and checks that it can be fed and run.
   *
   * @param preprocessing overrides the sidecar's mode; null keeps it
   * @throws ModelException naming the model, the input or output and what to do
   */
  public static ImageFeatureExtractor load(ModelOptions options, Preprocessing preprocessing) {
    SingleGraphModel model = SingleGraphModel.load(options, "feature");
    try {
      FeatureModelConfig config = FeatureModelConfig.read(model.directory());
      if (preprocessing != null) {
        config = config.withPreprocessing(preprocessing);
      }
      if (!config.fromFile()) {
        LOG.info("feature model {} has no {}: assuming NCHW input, values 0..255, {} resizing", options.uri(),
            FeatureModelConfig.FILE_NAME, config.preprocessing());
      }
      TensorSpec input = chooseInput(model, config, options.uri());
      String output = chooseOutput(model, config, options.uri());
      int hAxis = config.channelsLast() ? 1 : 2;
      Integer height = size(input.fixedDim(hAxis), config.height(), "height", input, options.uri());
      Integer width = size(input.fixedDim(hAxis + 1), config.width(), "width", input, options.uri());
      if ((height == null || width == null) && config.preprocessing() != Preprocessing.NONE) {
        throw new ModelException("feature model " + options.uri() + ": input " + input + " has no fixed size, so "
            + config.preprocessing() + " resizing has no target; give \"size\": [height, width] in "
            + FeatureModelConfig.FILE_NAME + " or use preprocessing none (the graph resizes)");
      }
      return new ImageFeatureExtractor(model, config, input, output, height, width, options.uri());
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  private static TensorSpec chooseInput(SingleGraphModel model, FeatureModelConfig config, String uri) {
    Map<String, TensorSpec> inputs = model.inputs();
    TensorSpec input;
    if (config.input() != null) {
      input = inputs.get(config.input());
      if (input == null) {
        throw new ModelException("feature model " + uri + " has no input '" + config.input() + "' (named in "
            + FeatureModelConfig.FILE_NAME + "); its inputs are " + inputs.values());
      }
    } else if (inputs.size() == 1) {
      input = inputs.values().iterator().next();
    } else {
      throw new ModelException("feature model " + uri + " has inputs " + inputs.values() + "; diffusion-batch feeds"
          + " one image tensor: name it as \"input\" in " + FeatureModelConfig.FILE_NAME
          + " (and export the graph with no other inputs)");
    }
    for (TensorSpec other : inputs.values()) {
      if (!other.name().equals(input.name())) {
        throw new ModelException("feature model " + uri + " input " + other + " cannot be fed: diffusion-batch feeds"
            + " only the image input " + input.name() + "; export the graph with the image as its only input");
      }
    }
    int channelAxis = config.channelsLast() ? 3 : 1;
    boolean floatType = input.type() == DataType.FLOAT32 || input.type() == DataType.FLOAT16;
    Integer channels = input.fixedDim(channelAxis);
    if (!floatType || input.rank() != 4 || (channels != null && channels != 3)) {
      throw new ModelException("feature model " + uri + " input " + input + " cannot be fed: diffusion-batch feeds"
          + " float32 or float16 images [batch, 3, height, width]" + " (or [batch, height, width, 3] with \"layout\":"
          + " \"NHWC\" in " + FeatureModelConfig.FILE_NAME + ")");
    }
    return input;
  }

  private static String chooseOutput(SingleGraphModel model, FeatureModelConfig config, String uri) {
    Map<String, TensorSpec> outputs = model.outputs();
    TensorSpec output;
    if (config.output() != null) {
      output = outputs.get(config.output());
      if (output == null) {
        throw new ModelException("feature model " + uri + " has no output '" + config.output() + "' (named in "
            + FeatureModelConfig.FILE_NAME + "); its outputs are " + outputs.values());
      }
    } else if (outputs.size() == 1) {
      output = outputs.values().iterator().next();
    } else {
      throw new ModelException("feature model " + uri + " has outputs " + outputs.values()
          + "; name the one holding the features as \"output\" in " + FeatureModelConfig.FILE_NAME);
    }
    if (!output.isFloat() || output.type() == DataType.FLOAT64) {
      throw new ModelException("feature model " + uri + " output " + output + " is not float32 or float16");
    }
    return output.name();
  }

  private static Integer size(Integer declared, Integer configured, String what, TensorSpec input, String uri) {
    if (declared != null && configured != null && !declared.equals(configured)) {
      throw new ModelException("feature model " + uri + ": " + FeatureModelConfig.FILE_NAME + " says " + what + " "
          + configured + " but the graph's input is " + input);
    }
    return declared != null ? declared : configured;
  }

  /** One call on a mid-grey image: the feature dimension, and proof that the graph runs. */
  private int probe() {
    int h = height != null ? height : 64;
    int w = width != null ? width : 64;
    byte[] grey = new byte[3 * h * w];
    java.util.Arrays.fill(grey, (byte) 128);
    float[] out;
    try {
      out = runBatch(List.of(new RgbImage(w, h, grey)), h, w);
    } catch (RuntimeException e) {
      throw new ModelException("feature model " + uri + " fails on a " + h + "x" + w + " image fed as " + input + ": "
          + e.getMessage(), e);
    }
    if (out.length == 0) {
      throw new ModelException("feature model " + uri + " output " + output + " is empty");
    }
    return out.length;
  }

  /** Length of each feature vector. */
  public int dimension() {
    return dimension;
  }

  public Preprocessing preprocessing() {
    return config.preprocessing();
  }

  public String uri() {
    return uri;
  }

  /** SHA-256 of the model's files (see {@link SingleGraphModel#digest()}). */
  public String digest() {
    return model.digest();
  }

  /** e.g. {@code images float32 [?, 3, 299, 299] -> features (2048-d), clean resizing, values -1..1}. */
  public String describe() {
    return input + " -> " + output + " (" + dimension + "-d), " + config.preprocessing() + " resizing, values "
        + fmt(config.low()) + ".." + fmt(config.high()) + (config.mean() != null ? ", normalised by mean/std" : "");
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /**
   * Features of the images, {@code images.size() x dimension()} values row after row, in the
   * images' order.
   *
   * @throws IllegalArgumentException when preprocessing is none and an image does not fit the graph's fixed size
   */
  public float[] features(List<RgbImage> images) {
    float[] all = new float[images.size() * dimension];
    int start = 0;
    while (start < images.size()) {
      RgbImage first = images.get(start);
      int h = height != null ? height : first.height();
      int w = width != null ? width : first.width();
      int end = start + 1;
      int limit = maxBatch > 0 ? Math.min(images.size(), start + maxBatch) : images.size();
      // With preprocessing none and a dynamic size, one call takes images of one size only.
      while (end < limit && (height != null || sameSize(images.get(end), first))) {
        end++;
      }
      float[] out = runBatch(images.subList(start, end), h, w);
      if (out.length != (end - start) * dimension) {
        throw new ModelException("feature model " + uri + " returned " + out.length + " values for " + (end - start)
            + " images; expected " + dimension + " per image");
      }
      System.arraycopy(out, 0, all, start * dimension, out.length);
      start = end;
    }
    return all;
  }

  private static boolean sameSize(RgbImage a, RgbImage b) {
    return a.width() == b.width() && a.height() == b.height();
  }

  private float[] runBatch(List<RgbImage> batch, int h, int w) {
    int plane = h * w;
    float[] tensor = new float[batch.size() * 3 * plane];
    float[] chw = new float[3 * plane];
    for (int i = 0; i < batch.size(); i++) {
      Resizing.resizeInto(config.preprocessing(), batch.get(i), h, w, chw, 0);
      int base = i * 3 * plane;
      for (int c = 0; c < 3; c++) {
        for (int p = 0; p < plane; p++) {
          float v = config.toInput(chw[c * plane + p], c);
          tensor[config.channelsLast() ? base + p * 3 + c : base + c * plane + p] = v;
        }
      }
    }
    long[] shape = config.channelsLast() ? new long[] {batch.size(), h, w, 3} : new long[] {batch.size(), 3, h, w};
    return model.run(List.of(SingleGraphModel.Input.floats(input.name(), tensor, shape)), List.of(output)).get(output);
  }

  @Override
  public void close() {
    model.close();
  }
}
