package org.diffusionbatch.core.quantize;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The sidecar {@code quantization.json} written beside model_index.json: how the folder was made,
 * from what, and what each graph holds now. ModelInfo reads its {@code mode}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuantizationReport(
    @JsonProperty("format") String format,
    @JsonProperty("mode") String mode,
    @JsonProperty("parts") List<String> parts,
    @JsonProperty("source") Source source,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("weights") String weights,
    @JsonProperty("activations") String activations,
    @JsonProperty("calibration") Calibration calibration,
    @JsonProperty("graphs") Map<String, Graph> graphs) {

  public static final String FORMAT = "diffusion-batch-quantization/1";

  /** The model quantized: the URI given and the digest of its files (ModelDigest). */
  public record Source(@JsonProperty("model") String model, @JsonProperty("digest") String digest) {}

  /**
   * How activation ranges were found: the prompts run through the real pipeline with the model's
   * default sampler, guidance and size, seed = the prompt's line index (0, 1, ...).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Calibration(
      @JsonProperty("prompts_file") String promptsFile,
      @JsonProperty("prompts") List<String> prompts,
      @JsonProperty("seeds") String seeds,
      @JsonProperty("sampler") String sampler,
      @JsonProperty("steps") int steps,
      @JsonProperty("guidance_scale") double guidanceScale,
      @JsonProperty("width") int width,
      @JsonProperty("height") int height,
      @JsonProperty("method") String method,
      @JsonProperty("percentile") Double percentile,
      @JsonProperty("symmetric") boolean symmetric,
      @JsonProperty("calls") Map<String, Integer> calls) {}

  /** One graph: its file sizes before and after (model.onnx plus external data), and what changed. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Graph(
      @JsonProperty("bytes_before") long bytesBefore,
      @JsonProperty("bytes_after") long bytesAfter,
      @JsonProperty("quantized_weights") List<QuantizedWeight> weights,
      @JsonProperty("quantized_activations") Map<String, ActivationQuant> activations,
      @JsonProperty("skipped") List<SkippedOp> skipped) {}
}
