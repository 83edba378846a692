package org.diffusionbatch.core.quantize;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.diffusionbatch.core.storage.S3Settings;

/**
 * What {@code quantize} is asked to do.
 *
 * @param model the source: a local folder or s3:// URI of an Optimum ONNX export
 * @param output a local folder that must not exist yet
 * @param parts graphs to quantize, of text_encoder, text_encoder_2 (SDXL), unet, vae_decoder (the rest are copied)
 * @param calibrationPrompts int8 only: the prompts the pipeline runs to record activations
 * @param calibrationPromptsSource where the prompts came from (a file name), for the sidecar
 * @param calibrationSteps int8 only: denoising steps per prompt; null = the model's default
 * @param percentile for {@link CalibrationMethod#PERCENTILE}: the share of values kept, e.g. 99.999
 * @param symmetricActivations int8 only: zero point 0 (TensorRT needs it) instead of asymmetric ranges
 * @param threads ONNX Runtime intra-op threads; 0 = its default
 * @param s3 how to reach S3 for an s3:// model; null = defaults
 * @param cacheDir where S3 models are downloaded; null = the usual cache
 */
public record QuantizeSettings(String model, Path output, QuantizationMode mode, List<String> parts,
    List<String> calibrationPrompts, String calibrationPromptsSource, Integer calibrationSteps,
    CalibrationMethod method, double percentile, boolean symmetricActivations, int threads, S3Settings s3,
    Path cacheDir) {

  /** The graphs of a Stable Diffusion 1.x/2.x or LCM export. */
  public static final List<String> ALL_PARTS = List.of("text_encoder", "unet", "vae_decoder");
  /** Every graph --parts can name: SDXL-style exports also have the second text encoder. */
  public static final List<String> KNOWN_PARTS = List.of("text_encoder", "text_encoder_2", "unet", "vae_decoder");
  /** The UNet does nearly all the work and holds most of the weights; the encoder and decoder stay exact unless asked. */
  public static final List<String> DEFAULT_PARTS = List.of("unet");
  /** ONNX Runtime's default for percentile calibration. */
  public static final double DEFAULT_PERCENTILE = 99.999;

  public QuantizeSettings {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("no model given: --model DIR|s3://bucket/prefix (an Optimum ONNX export)");
    }
    if (output == null) {
      throw new IllegalArgumentException("no output folder given: --output DIR (a new folder)");
    }
    if (mode == null) {
      throw new IllegalArgumentException("no quantization mode given: --mode weights-int8|int8");
    }
    parts = parts == null || parts.isEmpty() ? DEFAULT_PARTS : List.copyOf(new LinkedHashSet<>(parts));
    for (String part : parts) {
      if (!KNOWN_PARTS.contains(part)) {
        throw new IllegalArgumentException("--parts: '" + part + "' is not one of " + String.join(", ", KNOWN_PARTS));
      }
    }
    calibrationPrompts = calibrationPrompts == null ? List.of() : List.copyOf(calibrationPrompts);
    method = method == null ? CalibrationMethod.MINMAX : method;
    if (mode == QuantizationMode.INT8) {
      if (calibrationPrompts.isEmpty()) {
        throw new IllegalArgumentException("int8 mode quantizes activations, whose ranges come from running the model:"
            + " give --calibration-prompts FILE (one prompt per line; a few dozen typical prompts)");
      }
      if (calibrationSteps != null && calibrationSteps < 1) {
        throw new IllegalArgumentException("--calibration-steps must be at least 1, got " + calibrationSteps);
      }
      if (method == CalibrationMethod.PERCENTILE && !(percentile > 50 && percentile <= 100)) {
        throw new IllegalArgumentException("--percentile must be above 50 and at most 100 (e.g. 99.999), got " + percentile);
      }
    } else if (!calibrationPrompts.isEmpty() || calibrationSteps != null || symmetricActivations
        || method != CalibrationMethod.MINMAX) {
      throw new IllegalArgumentException("the calibration and activation options apply to --mode int8 only;"
          + " weights-int8 needs no calibration");
    }
    if (threads < 0) {
      throw new IllegalArgumentException("--threads must be 0 (ONNX Runtime's default) or more, got " + threads);
    }
  }

  Set<String> partSet() {
    return new LinkedHashSet<>(parts);
  }
}
