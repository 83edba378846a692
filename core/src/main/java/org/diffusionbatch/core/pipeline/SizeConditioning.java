package org.diffusionbatch.core.pipeline;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SDXL's size micro-conditioning, the {@code time_ids} its UNet takes: diffusers'
 * {@code original_size}, {@code crops_coords_top_left} and {@code target_size} (each (height, width),
 * crops (top, left)) and their {@code negative_} counterparts for the unconditional rows. A null
 * field takes diffusers' default: sizes the image's (height, width), crops (0, 0); the negative
 * rows repeat the positive ones unless both negative sizes are given.
 */
public record SizeConditioning(int[] originalSize, int[] cropsCoordsTopLeft, int[] targetSize,
    int[] negativeOriginalSize, int[] negativeCropsCoordsTopLeft, int[] negativeTargetSize) {

  /** The option keys, as diffusers' StableDiffusionXLPipeline.__call__ names the arguments. */
  public static final List<String> KEYS = List.of("original_size", "crops_coords_top_left", "target_size",
      "negative_original_size", "negative_crops_coords_top_left", "negative_target_size");

  /** diffusers' defaults throughout. */
  public static final SizeConditioning DEFAULTS = new SizeConditioning(null, null, null, null, null, null);

  public SizeConditioning {
    originalSize = pair("original_size", originalSize);
    cropsCoordsTopLeft = pair("crops_coords_top_left", cropsCoordsTopLeft);
    targetSize = pair("target_size", targetSize);
    negativeOriginalSize = pair("negative_original_size", negativeOriginalSize);
    negativeCropsCoordsTopLeft = pair("negative_crops_coords_top_left", negativeCropsCoordsTopLeft);
    negativeTargetSize = pair("negative_target_size", negativeTargetSize);
    // diffusers silently ignores one negative size without the other; refuse instead of dropping it.
    if ((negativeOriginalSize == null) != (negativeTargetSize == null)
        || (negativeCropsCoordsTopLeft != null && negativeOriginalSize == null)) {
      throw new IllegalArgumentException("negative_original_size and negative_target_size go together (and"
          + " negative_crops_coords_top_left needs them): diffusers uses the negative sizes only when both are given");
    }
  }

  /**
   * Parses options such as {@code original_size=1024,1024} or {@code crops_coords_top_left=0,0}.
   *
   * @throws IllegalArgumentException naming an unknown key (listing the known ones) or a bad value
   */
  public static SizeConditioning parse(Map<String, String> options) {
    Map<String, int[]> values = new LinkedHashMap<>();
    options.forEach((key, value) -> {
      String k = key.trim();
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown SDXL size conditioning '" + key + "'; known: " + String.join(", ", KEYS));
      }
      values.put(k, parsePair(k, value));
    });
    return new SizeConditioning(values.get(KEYS.get(0)), values.get(KEYS.get(1)), values.get(KEYS.get(2)),
        values.get(KEYS.get(3)), values.get(KEYS.get(4)), values.get(KEYS.get(5)));
  }

  /** All defaults: nothing was given. */
  public boolean isDefault() {
    return equals(DEFAULTS);
  }

  /** The conditional rows' time_ids: original size, crop top-left, target size (float32, as diffusers' tensor). */
  float[] timeIds(int height, int width) {
    return ids(originalSize, cropsCoordsTopLeft, targetSize, height, width);
  }

  /** The unconditional rows' time_ids. */
  float[] negativeTimeIds(int height, int width) {
    return negativeOriginalSize == null ? timeIds(height, width)
        : ids(negativeOriginalSize, negativeCropsCoordsTopLeft, negativeTargetSize, height, width);
  }

  private static float[] ids(int[] original, int[] crops, int[] target, int height, int width) {
    int[] o = original != null ? original : new int[] {height, width};
    int[] c = crops != null ? crops : new int[] {0, 0};
    int[] t = target != null ? target : new int[] {height, width};
    return new float[] {o[0], o[1], c[0], c[1], t[0], t[1]};
  }

  private static int[] pair(String key, int[] value) {
    if (value == null) {
      return null;
    }
    if (value.length != 2 || value[0] < 0 || value[1] < 0) {
      throw new IllegalArgumentException(key + " must be two non-negative integers, got " + Arrays.toString(value));
    }
    return value.clone();
  }

  private static int[] parsePair(String key, String text) {
    String[] parts = text.trim().split("\\s*[,x]\\s*");
    try {
      if (parts.length == 2) {
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + "=" + text + " is not a pair of integers; write e.g. " + key
        + (key.contains("crops") ? "=0,0 (top, left)" : "=1024,1024 (height, width)"));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SizeConditioning s && Arrays.equals(originalSize, s.originalSize)
        && Arrays.equals(cropsCoordsTopLeft, s.cropsCoordsTopLeft) && Arrays.equals(targetSize, s.targetSize)
        && Arrays.equals(negativeOriginalSize, s.negativeOriginalSize)
        && Arrays.equals(negativeCropsCoordsTopLeft, s.negativeCropsCoordsTopLeft)
        && Arrays.equals(negativeTargetSize, s.negativeTargetSize);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(new Object[] {originalSize, cropsCoordsTopLeft, targetSize, negativeOriginalSize,
        negativeCropsCoordsTopLeft, negativeTargetSize});
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    int[][] all = {originalSize, cropsCoordsTopLeft, targetSize, negativeOriginalSize, negativeCropsCoordsTopLeft,
        negativeTargetSize};
    for (int i = 0; i < all.length; i++) {
      if (all[i] != null) {
        b.append(b.length() == 0 ? "" : ", ").append(KEYS.get(i)).append('=').append(all[i][0]).append(',').append(all[i][1]);
      }
    }
    return b.length() == 0 ? "defaults" : b.toString();
  }
}
