package org.diffusionbatch.core.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * What an image feature model expects, from {@code feature_extractor.json} beside its graph (all
 * keys optional):
 *
 * <pre>
 * {"input": "images", "output": "features", "layout": "NCHW", "size": [299, 299],
 *  "preprocessing": "clean", "value_range": [-1, 1], "mean": [..3], "std": [..3]}
 * </pre>
 *
 * A pixel p in 0..255 (after resizing) is fed as {@code (lo + p / 255 * (hi - lo) - mean[c]) / std[c]}.
 * Without the file: the graph's only input and only output, NCHW, the input's declared size,
 * {@code clean} resizing and values 0..255 (clean-fid's Inception convention).
 *
 * @param input graph input name, null = the only input
 * @param output graph output name, null = the only output
 * @param channelsLast true for NHWC, false for NCHW
 * @param height input height, null = as the graph declares
 * @param width input width, null = as the graph declares
 * @param preprocessing how images are resized to the input size
 * @param mean per-channel mean subtracted after the value range, or null
 * @param std per-channel divisor after the mean, or null
 * @param fromFile true when read from a sidecar, false for the defaults
 */
public record FeatureModelConfig(String input, String output, boolean channelsLast, Integer height, Integer width,
    Preprocessing preprocessing, double low, double high, double[] mean, double[] std, boolean fromFile) {

  /** The sidecar's file name, looked for in the graph's folder. */
  public static final String FILE_NAME = "feature_extractor.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> KEYS = Set.of("description", "input", "output", "layout", "size", "preprocessing",
      "value_range", "mean", "std", "source");

  public static FeatureModelConfig defaults() {
    return new FeatureModelConfig(null, null, false, null, null, Preprocessing.CLEAN, 0, 255, null, null, false);
  }

  /** The sidecar in {@code dir}, or the defaults when there is none. */
  public static FeatureModelConfig read(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return defaults();
    }
    JsonNode json;
    try {
      json = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException(file + " must hold a JSON object");
    }
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!KEYS.contains(name)) {
        throw new IllegalArgumentException(file + " has an unknown key '" + name + "'; known keys are " + KEYS);
      }
    }
    try {
      String layout = text(json, "layout", "NCHW").toUpperCase(Locale.ROOT);
      if (!layout.equals("NCHW") && !layout.equals("NHWC")) {
        throw new IllegalArgumentException("layout must be NCHW or NHWC, got " + layout);
      }
      double[] size = numbers(json, "size", 2);
      double[] range = numbers(json, "value_range", 2);
      double[] mean = numbers(json, "mean", 3);
      double[] std = numbers(json, "std", 3);
      if (mean != null ^ std != null) {
        throw new IllegalArgumentException("mean and std go together; give both or neither");
      }
      if (std != null) {
        for (double s : std) {
          if (!(s > 0)) {
            throw new IllegalArgumentException("std values must be positive, got " + s);
          }
        }
      }
      if (size != null && (size[0] < 1 || size[1] < 1 || size[0] != Math.rint(size[0]) || size[1] != Math.rint(size[1]))) {
        throw new IllegalArgumentException("size must be two positive integers [height, width]");
      }
      return new FeatureModelConfig(text(json, "input", null), text(json, "output", null), layout.equals("NHWC"),
          size == null ? null : (int) size[0], size == null ? null : (int) size[1],
          Preprocessing.parse(text(json, "preprocessing", "clean")),
          range == null ? 0 : range[0], range == null ? 255 : range[1], mean, std, true);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** The same settings with another resizing mode (the command line's --preprocess). */
  public FeatureModelConfig withPreprocessing(Preprocessing mode) {
    return new FeatureModelConfig(input, output, channelsLast, height, width, mode, low, high, mean, std, fromFile);
  }

  /** One 0..255 value of channel c as the graph takes it. */
  float toInput(float pixel, int c) {
    double v = low + pixel / 255.0 * (high - low);
    return (float) (mean == null ? v : (v - mean[c]) / std[c]);
  }

  private static String text(JsonNode json, String key, String fallback) {
    JsonNode node = json.get(key);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isTextual()) {
      throw new IllegalArgumentException(key + " must be a string");
    }
    return node.asText();
  }

  private static double[] numbers(JsonNode json, String key, int count) {
    JsonNode node = json.get(key);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray() || node.size() != count) {
      throw new IllegalArgumentException(key + " must be a list of " + count + " numbers");
    }
    double[] values = new double[count];
    for (int i = 0; i < count; i++) {
      if (!node.get(i).isNumber()) {
        throw new IllegalArgumentException(key + " must be a list of " + count + " numbers");
      }
      values[i] = node.get(i).asDouble();
    }
    return values;
  }
}
