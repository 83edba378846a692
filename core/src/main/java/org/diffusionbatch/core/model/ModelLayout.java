package org.diffusionbatch.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The files of a Hugging Face Optimum ONNX export of a Stable Diffusion pipeline, found and checked
 * before any graph is loaded, plus the settings its JSON configs declare.
 *
 * @param pipelineClass model_index.json's {@code _class_name}; null when there is no model_index.json
 * @param unetSampleSize unet/config.json {@code sample_size}, or null
 * @param unetInChannels unet/config.json {@code in_channels}, or null
 * @param crossAttentionDim unet/config.json {@code cross_attention_dim}, or null
 * @param timeCondProjDim unet/config.json {@code time_cond_proj_dim}, or null
 * @param textHiddenSize text_encoder/config.json {@code hidden_size}, or null
 * @param vaeScalingFactor vae_decoder/config.json {@code scaling_factor}, 0.18215 when absent
 */
public record ModelLayout(Path directory, String pipelineClass, Path textEncoder, Path unet, Path vaeDecoder,
    Path schedulerConfig, Path tokenizerDir, Integer unetSampleSize, Integer unetInChannels,
    Integer crossAttentionDim, Integer timeCondProjDim, Integer textHiddenSize, double vaeScalingFactor) {

  /** SD 1.x's VAE scaling factor; diffusers' default when vae config.json has none. */
  public static final double DEFAULT_VAE_SCALING_FACTOR = 0.18215;

  static final String EXPORT_HINT = "expected the Hugging Face Optimum ONNX layout"
      + " (optimum-cli export onnx --model <model id or folder> <output folder>)";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PARTS = List.of("text_encoder", "unet", "vae_decoder");

  /** Finds and checks the parts of the model in {@code dir}; throws {@link ModelException} naming what is wrong. */
  public static ModelLayout read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ModelException("model folder " + dir + " does not exist or is not a folder; give the folder of an"
          + " ONNX export (" + EXPORT_HINT + ") or an s3:// URI");
    }
    Path index = dir.resolve("model_index.json");
    JsonNode indexJson = Files.isRegularFile(index) ? readJson(index) : null;
    String pipelineClass = indexJson == null ? null : textOrNull(indexJson.get("_class_name"));
    rejectUnsupported(dir, pipelineClass);
    if (indexJson == null && PARTS.stream().noneMatch(p -> Files.isDirectory(dir.resolve(p)))) {
      throw new ModelException("model at " + dir + " is not in a layout diffusion-batch knows: it has no"
          + " model_index.json and none of text_encoder/, unet/, vae_decoder/" + pytorchHint(dir) + "; " + EXPORT_HINT);
    }
    Path textEncoder = require(dir, "text_encoder/model.onnx");
    Path unet = require(dir, "unet/model.onnx");
    Path vaeDecoder = require(dir, "vae_decoder/model.onnx");
    Path scheduler = require(dir, "scheduler/scheduler_config.json");
    require(dir, "tokenizer/vocab.json");
    require(dir, "tokenizer/merges.txt");

    JsonNode unetConfig = optionalJson(dir.resolve("unet/config.json"));
    JsonNode vaeConfig = optionalJson(dir.resolve("vae_decoder/config.json"));
    JsonNode textConfig = optionalJson(dir.resolve("text_encoder/config.json"));
    Integer timeCondProjDim = intOrNull(unetConfig, "time_cond_proj_dim");
    Double scaling = vaeConfig != null && vaeConfig.path("scaling_factor").isNumber()
        ? vaeConfig.get("scaling_factor").asDouble() : null;
    return new ModelLayout(dir, pipelineClass, textEncoder, unet, vaeDecoder, scheduler, dir.resolve("tokenizer"),
        intOrNull(unetConfig, "sample_size"), intOrNull(unetConfig, "in_channels"),
        intOrNull(unetConfig, "cross_attention_dim"), timeCondProjDim, intOrNull(textConfig, "hidden_size"),
        scaling == null ? DEFAULT_VAE_SCALING_FACTOR : scaling);
  }

  /** SDXL and pipelines other than SD 1.x/2.x and LCM get a clear refusal before anything is loaded. */
  private static void rejectUnsupported(Path dir, String pipelineClass) {
    boolean xl = (pipelineClass != null && pipelineClass.contains("XL")) || Files.isDirectory(dir.resolve("text_encoder_2"));
    if (xl) {
      throw new ModelException("model at " + dir + " is an SDXL pipeline (" + (pipelineClass != null ? pipelineClass
          : "it has text_encoder_2/") + "); SDXL is not supported yet: use a Stable Diffusion 1.x/2.x or LCM export");
    }
    if (pipelineClass != null && !isSupportedPipeline(pipelineClass)) {
      throw new ModelException("model at " + dir + " is a " + pipelineClass + " (model_index.json _class_name);"
          + " diffusion-batch runs Stable Diffusion 1.x/2.x (StableDiffusionPipeline and its ONNX/ORT variants)"
          + " and LatentConsistencyModelPipeline");
    }
  }

  static boolean isSupportedPipeline(String pipelineClass) {
    String name = pipelineClass.replaceFirst("^(ORT|Onnx)", "");
    // Img2img/inpaint exports of SD 1.x/2.x carry the same text encoder, UNet and decoder.
    return (name.startsWith("StableDiffusion") && !name.startsWith("StableDiffusion3")
        && !name.startsWith("StableDiffusionXL")) || name.startsWith("LatentConsistencyModel");
  }

  private static Path require(Path dir, String relative) {
    Path file = dir.resolve(relative);
    if (!Files.isRegularFile(file)) {
      throw new ModelException("model at " + dir + " has no " + relative + pytorchHint(dir) + "; " + EXPORT_HINT);
    }
    return file;
  }

  /** A diffusers PyTorch checkpoint is the likeliest wrong folder: say so. */
  private static String pytorchHint(Path dir) {
    boolean pytorch = Files.exists(dir.resolve("unet/diffusion_pytorch_model.safetensors"))
        || Files.exists(dir.resolve("unet/diffusion_pytorch_model.bin"))
        || Files.isDirectory(dir.resolve("vae")) && !Files.isDirectory(dir.resolve("vae_decoder"));
    return pytorch ? " (it looks like a diffusers PyTorch checkpoint; convert it to ONNX first)" : "";
  }

  private static JsonNode optionalJson(Path file) {
    return Files.isRegularFile(file) ? readJson(file) : null;
  }

  private static JsonNode readJson(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new ModelException("cannot read " + file + ": it is not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
          + "); re-export or re-download the model", e);
    }
  }

  private static Integer intOrNull(JsonNode config, String field) {
    if (config == null) {
      return null;
    }
    JsonNode value = config.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isArray() && value.size() > 0 && value.get(0).canConvertToInt()) {
      return value.get(0).asInt(); // sample_size may be [h, w]
    }
    return value.canConvertToInt() ? value.asInt() : null;
  }

  private static String textOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }
}
