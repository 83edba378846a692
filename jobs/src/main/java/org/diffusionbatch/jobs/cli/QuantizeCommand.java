package org.diffusionbatch.jobs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diffusionbatch.core.model.ModelInfo;
import org.diffusionbatch.core.quantize.CalibrationMethod;
import org.diffusionbatch.core.quantize.ModelQuantizer;
import org.diffusionbatch.core.quantize.QuantizationMode;
import org.diffusionbatch.core.quantize.QuantizationReport;
import org.diffusionbatch.core.quantize.QuantizeSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** An Optimum ONNX export to an INT8 copy in the same layout, on this machine (no Spark). */
@Command(
    name = "quantize",
    mixinStandardHelpOptions = true,
    description = {
        "Write an INT8 copy of a model in the same Optimum layout, with quantization.json saying how it was made.",
        "weights-int8: Conv/MatMul/Gemm weights in INT8 per output channel, activations as exported.",
        "int8: also the activations around those ops (QDQ), calibrated by running the prompts through the pipeline.",
        "Exit codes: 0 done, 2 bad input (nothing written), 1 internal error."})
public final class QuantizeCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "URI", description = "The model: local dir or s3://bucket/prefix/ (an Optimum ONNX export).")
  String model;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "The new model folder; must not exist.")
  Path output;

  @Option(names = "--mode", required = true, paramLabel = "MODE", description = "weights-int8 or int8.")
  String mode;

  @Option(names = "--parts", split = ",", paramLabel = "PART", description = "Graphs to quantize, of unet, text_encoder, text_encoder_2 (SDXL), vae_decoder (default: unet).")
  List<String> parts;

  @Option(names = "--calibration-prompts", paramLabel = "FILE", description = "int8: prompts to calibrate on, one per line.")
  Path calibrationPrompts;

  @Option(names = "--calibration-steps", paramLabel = "N", description = "int8: denoising steps per prompt (default: the model's, 20; 4 for LCM).")
  Integer calibrationSteps;

  @Option(names = "--calibration-method", paramLabel = "METHOD", description = "int8: minmax (default) or percentile.")
  String calibrationMethod;

  @Option(names = "--percentile", paramLabel = "P", defaultValue = "99.999", description = "int8 with --calibration-method percentile: share of values the range keeps (default 99.999).")
  double percentile;

  @Option(names = "--symmetric-activations", description = "int8: zero point 0 for activations (TensorRT needs it); default asymmetric.")
  boolean symmetricActivations;

  @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (default: its own choice).")
  int threads;

  @Mixin S3Options s3 = new S3Options();

  @Override
  public Integer call() {
    List<String> prompts = calibrationPrompts == null ? List.of() : readPrompts(calibrationPrompts);
    QuantizeSettings settings = new QuantizeSettings(model, output, QuantizationMode.parse(mode), parts, prompts,
        calibrationPrompts == null ? null : calibrationPrompts.toString(), calibrationSteps,
        calibrationMethod == null ? null : CalibrationMethod.parse(calibrationMethod), percentile, symmetricActivations,
        threads, s3.settings(), null);
    QuantizationReport report = ModelQuantizer.quantize(settings);
    for (Map.Entry<String, QuantizationReport.Graph> e : report.graphs().entrySet()) {
      QuantizationReport.Graph g = e.getValue();
      System.out.printf("%s: %d weights to INT8%s, %.2f MB -> %.2f MB (%.0f%%), %d ops left in float%n", e.getKey(),
          g.weights().size(), g.activations() == null ? "" : ", " + g.activations().size() + " activations",
          g.bytesBefore() / 1e6, g.bytesAfter() / 1e6, 100.0 * g.bytesAfter() / g.bytesBefore(), g.skipped().size());
    }
    System.out.println("wrote " + output + " (" + report.mode() + "; how it was made and what stayed float: "
        + output.resolve(ModelInfo.QUANTIZATION_SIDECAR) + ")");
    return 0;
  }

  private static List<String> readPrompts(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--calibration-prompts " + file + " does not exist");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read --calibration-prompts " + file + ": " + e.getMessage());
    }
    List<String> prompts = lines.stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("--calibration-prompts " + file + " has no prompts (one per line)");
    }
    return prompts;
  }
}
