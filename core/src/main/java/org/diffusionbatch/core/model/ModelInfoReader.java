package org.diffusionbatch.core.model;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds {@link ModelInfo} from the layout's configs and the graphs' declared shapes; the graphs win. */
final class ModelInfoReader {
  /** SDXL base's size conditioning: original size, crop top-left, target size. */
  static final int TIME_IDS = 6;

  private ModelInfoReader() {}

  /** The graphs of one model, as loaded; {@code text2} is null unless SDXL. */
  record Graphs(OnnxGraph text, OnnxGraph text2, OnnxGraph unet, OnnxGraph vae) {}

  static ModelInfo read(String uri, String digest, ModelLayout layout, Graphs g) {
    OnnxGraph unet = g.unet();
    TensorSpec sample = unet.requireInput(OnnxUNet.SAMPLE);
    TensorSpec hidden = unet.requireInput(OnnxUNet.HIDDEN);
    TensorSpec cond = unet.inputs().get(OnnxUNet.TIMESTEP_COND);
    TensorSpec vaeIn = g.vae().requireInput(OnnxVaeDecoder.INPUT);

    int channels = first(sample.fixedDim(1), layout.unetInChannels(), 4);
    rejectImageConditionedUnet(layout, channels, first(unet.requireOutput(OnnxUNet.OUTPUT).fixedDim(1),
        layout.unetConfig().outChannels(), vaeIn.fixedDim(1), channels));
    Integer fixedH = fixedLatentDim(layout, "height", sample.fixedDim(2), vaeIn.fixedDim(2));
    Integer fixedW = fixedLatentDim(layout, "width", sample.fixedDim(3), vaeIn.fixedDim(3));
    // A graph fixed to one size only runs at that size, whatever its config.json says.
    int sampleSize = first(fixedH, layout.unetSampleSize(), 64);
    Integer levels = layout.unetConfig().levels();
    int latentMultiple = levels == null ? 1 : 1 << (levels - 1);

    if (!layout.isXl() && (unet.inputs().containsKey(OnnxUNet.TEXT_EMBEDS) || unet.inputs().containsKey(OnnxUNet.TIME_IDS))) {
      throw new ModelException("unet/model.onnx in " + layout.directory() + " takes text_embeds/time_ids: it is an SDXL"
          + " UNet, but the folder has no text_encoder_2/ and tokenizer_2/; copy the whole SDXL export");
    }
    int hiddenSize = hiddenSize(layout, g, hidden.fixedDim(2));
    int timeCondDim = 0;
    if (cond != null) {
      Integer dim = first(cond.fixedDim(1), layout.timeCondProjDim(), null);
      if (dim == null) {
        throw new ModelException("model at " + layout.directory() + ": the unet takes timestep_cond but neither the"
            + " graph nor unet/config.json (time_cond_proj_dim) gives its width");
      }
      timeCondDim = dim;
    }
    ModelInfo.Xl xl = layout.isXl() ? xl(layout, g, hiddenSize) : null;
    ModelLayout.VaeConfig vc = layout.vaeConfig();
    for (float[] stats : new float[][] {vc.latentsMean(), vc.latentsStd()}) {
      if (stats != null && stats.length != channels) {
        throw new ModelException("vae_decoder/config.json in " + layout.directory() + " gives latents_mean/latents_std of "
            + stats.length + " values for " + channels + " latent channels; fix the config or remove both keys");
      }
    }
    ModelInfo.Vae vae = new ModelInfo.Vae(vc.scalingFactor(), vc.scaleFactor(), vc.latentsMean(), vc.latentsStd(),
        vaeIn.type() == DataType.FLOAT16);
    if (xl != null && vae.float16() && vc.forceUpcast()) {
      // diffusers' SDXL pipelines upcast such a VAE to float32 because it overflows in float16.
      throw new ModelException("vae_decoder/model.onnx in " + layout.directory() + " is float16, but"
          + " vae_decoder/config.json sets force_upcast: this VAE overflows in float16 (NaN or black images), so"
          + " diffusers decodes it in float32. Use a float32 vae_decoder/ (export the model again without --dtype fp16"
          + " and copy its vae_decoder/ over this one), or the fp16-fix VAE madebyollin/sdxl-vae-fp16-fix (its config"
          + " sets force_upcast false); or set force_upcast to false in vae_decoder/config.json to decode in float16 at"
          + " the risk of NaN images");
    }
    String floatType = sample.type() == DataType.FLOAT16 ? "float16" : "float32";
    return new ModelInfo(layout.directory(), uri, digest, layout.pipelineClass(), layout.schedulerConfig(),
        layout.tokenizerDir(), channels, sampleSize, fixedH, fixedW, latentMultiple, hiddenSize, timeCondDim,
        floatType, vae, xl, quantization(layout.directory()));
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

  /** Inpainting (9 channels), upscaling (7) or pix2pix (8) UNets take an image beside the latents. */
  private static void rejectImageConditionedUnet(ModelLayout layout, int in, int out) {
    if (in != out) {
      throw new ModelException("unet/model.onnx in " + layout.directory() + " takes " + in + "-channel samples but"
          + " predicts " + out + " channels: it is conditioned on an image as well (an inpainting, upscaling or"
          + " instruct-pix2pix UNet). " + ModelLayout.SUPPORTED + "; use a text-to-image export of the model");
    }
  }

  /** D of encoder_hidden_states: the text encoder's width, both encoders' together for SDXL. */
  private static int hiddenSize(ModelLayout layout, Graphs g, Integer unetD) {
    Integer textD = OnnxTextEncoder.tokensOutput(g.text(), layout.isXl()).fixedDim(2);
    if (g.text2() != null) {
      Integer text2D = OnnxTextEncoder.tokensOutput(g.text2(), true).fixedDim(2);
      textD = textD != null && text2D != null ? textD + text2D : null;
    }
    if (textD != null && unetD != null && !textD.equals(unetD)) {
      throw new ModelException("model at " + layout.directory() + ": the text encoder" + (g.text2() != null ? "s give"
          : " gives") + " embeddings of width " + textD + " but the unet expects encoder_hidden_states of width " + unetD
          + "; the parts come from different models");
    }
    Integer hiddenSize = textD != null ? textD : unetD != null ? unetD
        : layout.isXl() ? layout.crossAttentionDim()
        : layout.textHiddenSize() != null ? layout.textHiddenSize() : layout.crossAttentionDim();
    if (hiddenSize == null) {
      throw new ModelException("model at " + layout.directory() + ": cannot tell the text embedding width: the graphs"
          + " leave it dynamic and text_encoder/config.json has no hidden_size; add the config.json files of the export");
    }
    return hiddenSize;
  }

  private static ModelInfo.Xl xl(ModelLayout layout, Graphs g, int hiddenSize) {
    TensorSpec textEmbeds = g.unet().inputs().get(OnnxUNet.TEXT_EMBEDS);
    TensorSpec timeIds = g.unet().inputs().get(OnnxUNet.TIME_IDS);
    if (textEmbeds == null || timeIds == null) {
      throw new ModelException("unet/model.onnx in " + layout.directory() + " has no text_embeds/time_ids inputs, but"
          + " the folder is an SDXL export (text_encoder_2/): SDXL's UNet takes both; its inputs are "
          + g.unet().inputs().values() + "; the parts come from different models");
    }
    Integer timeIdsSize = timeIds.fixedDim(1);
    if (timeIdsSize != null && timeIdsSize != TIME_IDS) {
      throw new ModelException("unet/model.onnx in " + layout.directory() + " takes time_ids of " + timeIdsSize
          + " values; SDXL base's are 6 (original size, crop top-left, target size); 5 is the SDXL refiner's (sizes"
          + " and an aesthetic score), which only refines images. " + ModelLayout.SUPPORTED);
    }
    TensorSpec pooledOut = g.text2().requireOutput(OnnxTextEncoder.TEXT_EMBEDS);
    Integer pooled = first(textEmbeds.fixedDim(1), pooledOut.fixedDim(1), null);
    if (pooled == null) {
      throw new ModelException("model at " + layout.directory() + ": cannot tell the width of text_embeds: both the unet"
          + " input and text_encoder_2's output leave it dynamic");
    }
    if (textEmbeds.fixedDim(1) != null && pooledOut.fixedDim(1) != null && !textEmbeds.fixedDim(1).equals(pooledOut.fixedDim(1))) {
      throw new ModelException("model at " + layout.directory() + ": text_encoder_2 gives text_embeds of width "
          + pooledOut.fixedDim(1) + " but the unet takes " + textEmbeds.fixedDim(1) + "; the parts come from different models");
    }
    Integer width = OnnxTextEncoder.tokensOutput(g.text(), true).fixedDim(2);
    Integer width2 = OnnxTextEncoder.tokensOutput(g.text2(), true).fixedDim(2);
    if (width == null) {
      width = width2 != null ? Integer.valueOf(hiddenSize - width2) : layout.textHiddenSize();
    }
    if (width == null) {
      throw new ModelException("model at " + layout.directory() + ": cannot tell how the SDXL embedding width "
          + hiddenSize + " splits between the two text encoders: the graphs leave it dynamic and"
          + " text_encoder/config.json has no hidden_size; add the config.json files of the export");
    }
    return new ModelInfo.Xl(layout.tokenizer2Dir(), width, hiddenSize - width, pooled, TIME_IDS,
        layout.forceZerosForEmptyPrompt());
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
