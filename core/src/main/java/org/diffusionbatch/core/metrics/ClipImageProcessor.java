package org.diffusionbatch.core.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * transformers' {@code CLIPImageProcessor} as a CLIP export's {@code preprocessor_config.json}
 * sets it up: resize so the shortest edge is {@code size} (bicubic), centre-crop to
 * {@code crop_size}, scale by {@code rescale_factor}, normalise by {@code image_mean} and
 * {@code image_std}; out comes {@code pixel_values} [3, H, W].
 *
 * <p>The resize is PIL's bicubic filter computed in float (clean-fid's {@code clean} resize) and
 * rounded to 8 bits; PIL's 8-bit path also rounds between its horizontal and vertical passes, so
 * a pixel may differ from transformers' by one level.
 */
public record ClipImageProcessor(boolean resize, int shortestEdge, boolean centerCrop, int cropHeight, int cropWidth,
    boolean rescale, double rescaleFactor, boolean normalize, double[] mean, double[] std) {

  public static final String FILE_NAME = "preprocessor_config.json";
  private static final int PIL_BICUBIC = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads {@code dir/preprocessor_config.json}. */
  public static ClipImageProcessor read(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("CLIP model folder " + dir + " has no " + FILE_NAME + "; export the model with"
          + " optimum-cli export onnx --model <clip model> <folder>, which writes it beside model.onnx");
    }
    try {
      JsonNode json = JSON.readTree(file.toFile());
      int resample = json.path("resample").asInt(PIL_BICUBIC);
      if (resample != PIL_BICUBIC) {
        throw new IllegalArgumentException("resample " + resample + " is not supported; only 3 (bicubic, as CLIP uses)");
      }
      boolean resize = json.path("do_resize").asBoolean(true);
      JsonNode size = json.get("size");
      int shortest = size == null ? 224 : size.isInt() ? size.asInt() : size.path("shortest_edge").asInt(-1);
      if (resize && shortest < 1) {
        throw new IllegalArgumentException("size must be a number or {\"shortest_edge\": n}, got " + size);
      }
      boolean crop = json.path("do_center_crop").asBoolean(true);
      JsonNode cropSize = json.get("crop_size");
      int cropH = cropSize == null ? 224 : cropSize.isInt() ? cropSize.asInt() : cropSize.path("height").asInt(-1);
      int cropW = cropSize == null ? 224 : cropSize.isInt() ? cropSize.asInt() : cropSize.path("width").asInt(-1);
      if (crop && (cropH < 1 || cropW < 1)) {
        throw new IllegalArgumentException("crop_size must be a number or {\"height\": h, \"width\": w}, got " + cropSize);
      }
      boolean normalize = json.path("do_normalize").asBoolean(true);
      double[] mean = triple(json, "image_mean");
      double[] std = triple(json, "image_std");
      if (normalize && (mean == null || std == null)) {
        throw new IllegalArgumentException("do_normalize needs image_mean and image_std (three numbers each)");
      }
      return new ClipImageProcessor(resize, shortest, crop, cropH, cropW, json.path("do_rescale").asBoolean(true),
          json.path("rescale_factor").asDouble(1 / 255.0), normalize, mean, std);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  private static double[] triple(JsonNode json, String key) {
    JsonNode node = json.get(key);
    if (node == null || !node.isArray() || node.size() != 3) {
      return null;
    }
    return new double[] {node.get(0).asDouble(), node.get(1).asDouble(), node.get(2).asDouble()};
  }

  /** The output height and width for an image of the given size. */
  int[] outputSize(int height, int width) {
    if (centerCrop) {
      return new int[] {cropHeight, cropWidth};
    }
    return resize ? resizedSize(height, width) : new int[] {height, width};
  }

  /** transformers' shortest-edge rule: the short side becomes {@code size}, the long side {@code int(size * long / short)}. */
  int[] resizedSize(int height, int width) {
    if (height <= width) {
      return new int[] {shortestEdge, (int) ((long) shortestEdge * width / height)};
    }
    return new int[] {(int) ((long) shortestEdge * height / width), shortestEdge};
  }

  /** pixel_values of one image, [3, H, W] row-major, written into {@code out} at {@code offset}. */
  void pixelValues(RgbImage image, float[] out, int offset) {
    int h = image.height();
    int w = image.width();
    float[][] planes = new float[3][];
    int[] size = resize ? resizedSize(h, w) : new int[] {h, w};
    for (int c = 0; c < 3; c++) {
      float[] plane = image.channel(c);
      if (resize && (size[0] != h || size[1] != w)) {
        plane = Resizing.cleanPlane(plane, h, w, size[0], size[1]);
        for (int i = 0; i < plane.length; i++) {
          plane[i] = Math.round(plane[i]); // 8-bit, as PIL's resize of an RGB image
        }
      }
      planes[c] = plane;
    }
    int outH = centerCrop ? cropHeight : size[0];
    int outW = centerCrop ? cropWidth : size[1];
    // transformers' center_crop: top = (height - crop_height) // 2; a crop larger than the image pads with zeros.
    int top = Math.floorDiv(size[0] - outH, 2);
    int left = Math.floorDiv(size[1] - outW, 2);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < outH; y++) {
        int sy = y + top;
        for (int x = 0; x < outW; x++) {
          int sx = x + left;
          boolean inside = sy >= 0 && sy < size[0] && sx >= 0 && sx < size[1];
          double v = inside ? planes[c][sy * size[1] + sx] : 0;
          if (rescale) {
            v = (float) (v * rescaleFactor);
          }
          if (normalize) {
            v = (float) ((v - (float) mean[c]) / (float) std[c]);
          }
          out[offset + (c * outH + y) * outW + x] = (float) v;
        }
      }
    }
  }
}
