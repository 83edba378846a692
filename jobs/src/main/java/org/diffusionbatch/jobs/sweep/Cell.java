package org.diffusionbatch.jobs.sweep;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.diffusionbatch.core.pipeline.GenerationSettings;

/**
 * One setting of the grid, resolved against its model's defaults: everything that makes its
 * images, and the UNet evaluations per image (NFE) it costs.
 *
 * @param id {@code c} + 12 hex digits of sha-256 of the settings (see {@link #idOf}): names the
 *     cell's folder, so a resumed sweep finds it again; the same settings give the same id
 * @param modelName a short name for tables and charts (the model folder's name)
 * @param nfe UNet evaluations per image, counting the doubled classifier-free-guidance batch
 */
record Cell(
    String id, String model, String modelName, String sampler, int steps, double guidance, double guidanceRescale,
    Map<String, Object> samplerOptions, int width, int height, int nfe)
    implements Serializable {

  Cell {
    samplerOptions = java.util.Collections.unmodifiableMap(new TreeMap<>(samplerOptions));
  }

  GenerationSettings settings() {
    return new GenerationSettings(sampler, steps, guidance, guidanceRescale, width, height, samplerOptions);
  }

  /** "ddim, 10 steps, guidance 7.5" (+ rescale, options and model when they are set). */
  String label() {
    StringBuilder label = new StringBuilder(sampler).append(", ").append(steps).append(steps == 1 ? " step" : " steps")
        .append(", guidance ").append(number(guidance));
    if (guidanceRescale != 0) {
      label.append(", rescale ").append(number(guidanceRescale));
    }
    samplerOptions.forEach((k, v) -> label.append(", ").append(k).append('=').append(v));
    return label.append(" (").append(modelName).append(')').toString();
  }

  /** The sampler options as {@code k=v;k=v}, sorted, empty when none: a column of the metrics table. */
  String optionsText() {
    StringBuilder text = new StringBuilder();
    samplerOptions.forEach((k, v) -> text.append(text.length() == 0 ? "" : ";").append(k).append('=').append(v));
    return text.toString();
  }

  static String idOf(String model, String sampler, int steps, double guidance, double guidanceRescale,
      Map<String, Object> options, int width, int height) {
    String canonical = String.join("|", model, sampler, Integer.toString(steps), Double.toString(guidance),
        Double.toString(guidanceRescale), new TreeMap<>(options).toString(), width + "x" + height);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return "c" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e9 ? Long.toString((long) value) : Double.toString(value);
  }
}
