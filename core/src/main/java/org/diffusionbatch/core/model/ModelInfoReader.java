package org.diffusionbatch.core.model;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds {@link ModelInfo} from the layout's configs and the graphs' declared shapes; the graphs win. */
final class ModelInfoReader {
  private ModelInfoReader() {}

  static ModelInfo read(String uri, String digest, ModelLayout layout, OnnxGraph text, OnnxGraph unet, OnnxGraph vae) {
    TensorSpec sample = unet.requireInput(OnnxUNet.SAMPLE);
    TensorSpec hidden = unet.requireInput(OnnxUNet.HIDDEN);
    TensorSpec textOut = text.requireOutput(OnnxTextEncoder.OUTPUT);
    TensorSpec cond = unet.inputs().get(OnnxUNet.TIMESTEP_COND);

    int channels = first(sample.fixedDim(1), layout.unetInChannels(), 4);
    TensorSpec vaeIn = vae.requireInput(OnnxVaeDecoder.INPUT);
    Integer fixedH = fixedLatentDim(layout, "height", sample.fixedDim(2), vaeIn.fixedDim(2));
    Integer fixedW = fixedLatentDim(layout, "width", sample.fixedDim(3), vaeIn.fixedDim(3));
    // A graph fixed to one size only runs at that size, whatever its config.json says.
    int sampleSize = first(fixedH, layout.unetSampleSize(), 64);

    Integer textD = textOut.fixedDim(2);
    Integer unetD = hidden.fixedDim(2);
    if (textD != null && unetD != null && !textD.equals(unetD)) {
      throw new ModelException("model at " + layout.directory() + ": text_encoder gives embeddings of width " + textD
          + " but the unet expects encoder_hidden_states of width " + unetD + "; the parts come from different models");
    }
    Integer hiddenSize = textD != null ? textD : unetD != null ? unetD
        : layout.textHiddenSize() != null ? layout.textHiddenSize() : layout.crossAttentionDim();
    if (hiddenSize == null) {
      throw new ModelException("model at " + layout.directory() + ": cannot tell the text embedding width: the graphs"
          + " leave it dynamic and text_encoder/config.json has no hidden_size; add the config.json files of the export");
    }

    int timeCondDim = 0;
    if (cond != null) {
      Integer dim = first(cond.fixedDim(1), layout.timeCondProjDim(), null);
      if (dim == null) {
        throw new ModelException("model at " + layout.directory() + ": the unet takes timestep_cond but neither the"
            + " graph nor unet/config.json (time_cond_proj_dim) gives its width");
      }
      timeCondDim = dim;
    }
    String floatType = sample.type() == DataType.FLOAT16 ? "float16" : "float32";
    return new ModelInfo(layout.directory(), uri, digest, layout.pipelineClass(), layout.schedulerConfig(),
        layout.tokenizerDir(), channels, sampleSize, fixedH, fixedW, layout.vaeScalingFactor(), hiddenSize,
        timeCondDim, floatType, quantization(layout.directory()));
  }

  /** The sidecar's "mode", or "none" when the folder has no sidecar. */
  static String quantization(Path dir) {
    Path sidecar = dir.resolve(ModelInfo.QUANTIZATION_SIDECAR);
    if (!Files.isRegularFile(sidecar)) {
      return ModelInfo.NOT_QUANTIZED;
    }
    try {
      JsonNode mode = new ObjectMapper().readTree(sidecar.toFile()).get("mode");
      if (mode == null || !mode.isTextual() || mode.asText().isBlank()) {
        throw new ModelException(sidecar + " has no \"mode\"; it is not a sidecar diffusion-batch quantize wrote:"
            + " quantize the original model again");
      }
      return mode.asText();
    } catch (IOException e) {
      throw new ModelException("cannot read " + sidecar + ": " + e.getMessage().lines().findFirst().orElse("")
          + "; quantize the original model again", e);
    }
  }

  /** The latent size the graphs are fixed to (UNet or VAE decoder), or null when both accept any. */
  private static Integer fixedLatentDim(ModelLayout layout, String axis, Integer unet, Integer vae) {
    if (unet != null && vae != null && !unet.equals(vae)) {
      throw new ModelException("model at " + layout.directory() + ": the unet is fixed to latent " + axis + " " + unet
          + " but vae_decoder to " + vae + "; the parts come from different exports");
    }
    return unet != null ? unet : vae;
  }

  @SafeVarargs
  private static <T> T first(T... candidates) {
    for (T c : candidates) {
      if (c != null) {
        return c;
      }
    }
    return null;
  }
}
