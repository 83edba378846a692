package org.diffusionbatch.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The files of a Hugging Face Optimum ONNX export of a Stable Diffusion (1.x/2.x, SDXL) or LCM
 * pipeline, found and checked before any graph is loaded, plus the settings its JSON configs declare.
 *
 * @param pipelineClass model_index.json's {@code _class_name}; null when there is no model_index.json
 * @param textEncoder2 text_encoder_2/model.onnx for SDXL, else null
 * @param tokenizer2Dir tokenizer_2/ for SDXL, else null
 * @param unetConfig what unet/config.json declares
 * @param vaeConfig what vae_decoder/config.json declares (diffusers' defaults where it is silent)
 * @param textHiddenSize text_encoder/config.json {@code hidden_size}, or null
 * @param forceZerosForEmptyPrompt model_index.json {@code force_zeros_for_empty_prompt} (SDXL; diffusers'
 *     default true): with guidance and no negative prompt the negative embeddings are zeros
 */
public record ModelLayout(Path directory, String pipelineClass, Path textEncoder, Path textEncoder2, Path unet,
    Path vaeDecoder, Path schedulerConfig, Path tokenizerDir, Path tokenizer2Dir, UnetConfig unetConfig,
    VaeConfig vaeConfig, Integer textHiddenSize, boolean forceZerosForEmptyPrompt) {

  /** SD 1.x's VAE scaling factor; diffusers' default when vae config.json has none. */
  public static final double DEFAULT_VAE_SCALING_FACTOR = 0.18215;

  static final String EXPORT_HINT = "expected the Hugging Face Optimum ONNX layout"
      + " (optimum-cli export onnx --model <model id or folder> <output folder>)";
  static final String SUPPORTED = "diffusion-batch makes images from text with Stable Diffusion 1.x/2.x (incl. SD-Turbo),"
      + " SDXL base, SDXL-Turbo, LCM and LCM-SDXL exports";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PARTS = List.of("text_encoder", "unet", "vae_decoder");
  /** SDXL pipelines whose parts are SDXL base's: the text-to-image pipeline and its image-to-image/inpaint siblings. */
  private static final Set<String> XL_PIPELINES =
      Set.of("StableDiffusionXLPipeline", "StableDiffusionXLImg2ImgPipeline", "StableDiffusionXLInpaintPipeline");

  /**
   * What unet/config.json declares (each null when absent).
   *
   * @param levels number of resolution levels ({@code block_out_channels}); the latents are halved
   *     {@code levels - 1} times, so their height and width must be multiples of {@code 2^(levels-1)}
   */
  public record UnetConfig(Integer sampleSize, Integer inChannels, Integer outChannels, Integer crossAttentionDim,
      Integer timeCondProjDim, Integer levels) {}

  /**
   * What vae_decoder/config.json declares, with diffusers' defaults.
   *
   * @param scalingFactor latents are divided by this before decoding (0.18215 SD 1.x, 0.13025 SDXL)
   * @param scaleFactor pixels per latent cell, {@code 2^(len(block_out_channels) - 1)} (8 for SD and SDXL)
   * @param latentsMean per-channel {@code latents_mean} (SDXL pipelines un-normalise with it), or null
   * @param latentsStd per-channel {@code latents_std}, or null
   * @param forceUpcast {@code force_upcast} (diffusers' default true): SDXL pipelines decode such a VAE in float32
   */
  public record VaeConfig(double scalingFactor, int scaleFactor, float[] latentsMean, float[] latentsStd,
      boolean forceUpcast) {}

  /** Finds and checks the parts of the model in {@code dir}; throws {@link ModelException} naming what is wrong. */
  public static ModelLayout read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ModelException("model folder " + dir + " does not exist or is not a folder; give the folder of an"
          + " ONNX export (" + EXPORT_HINT + ") or an s3:// URI");
    }
    Path index = dir.resolve("model_index.json");
    JsonNode indexJson = Files.isRegularFile(index) ? readJson(index) : null;
    String pipelineClass = indexJson == null ? null : textOrNull(indexJson.get("_class_name"));
    boolean xl = isXl(dir, pipelineClass);
    if (xl) {
      rejectUnsupportedXl(dir, pipelineClass, indexJson);
    } else if (pipelineClass != null && !isSupportedPipeline(pipelineClass)) {
      throw new ModelException("model at " + dir + " is a " + pipelineClass + " (model_index.json _class_name); "
          + SUPPORTED);
    }
    if (indexJson == null && PARTS.stream().noneMatch(p -> Files.isDirectory(dir.resolve(p)))) {
      throw new ModelException("model at " + dir + " is not in a layout diffusion-batch knows: it has no"
          + " model_index.json and none of text_encoder/, unet/, vae_decoder/" + pytorchHint(dir) + "; " + EXPORT_HINT);
    }
    Path textEncoder = require(dir, "text_encoder/model.onnx");
    Path textEncoder2 = xl ? requireSecondEncoder(dir, "text_encoder_2/model.onnx") : null;
    Path unet = require(dir, "unet/model.onnx");
    Path vaeDecoder = require(dir, "vae_decoder/model.onnx");
    Path scheduler = require(dir, "scheduler/scheduler_config.json");
    require(dir, "tokenizer/vocab.json");
    require(dir, "tokenizer/merges.txt");
    if (xl) {
      requireSecondEncoder(dir, "tokenizer_2/vocab.json");
      requireSecondEncoder(dir, "tokenizer_2/merges.txt");
    }

    JsonNode textConfig = optionalJson(dir.resolve("text_encoder/config.json"));
    JsonNode zeros = indexJson == null ? null : indexJson.get("force_zeros_for_empty_prompt");
    return new ModelLayout(dir, pipelineClass, textEncoder, textEncoder2, unet, vaeDecoder, scheduler,
        dir.resolve("tokenizer"), xl ? dir.resolve("tokenizer_2") : null,
        unetConfig(optionalJson(dir.resolve("unet/config.json"))), vaeConfig(optionalJson(dir.resolve("vae_decoder/config.json"))),
        intOrNull(textConfig, "hidden_size"), zeros == null || zeros.isNull() || zeros.asBoolean());
  }

  /** An SDXL export: two text encoders (text_encoder_2/model.onnx). */
  public boolean isXl() {
    return textEncoder2 != null;
  }

  public Integer unetSampleSize() {
    return unetConfig.sampleSize();
  }

  public Integer unetInChannels() {
    return unetConfig.inChannels();
  }

  public Integer crossAttentionDim() {
    return unetConfig.crossAttentionDim();
  }

  public Integer timeCondProjDim() {
    return unetConfig.timeCondProjDim();
  }

  public double vaeScalingFactor() {
    return vaeConfig.scalingFactor();
  }

  private static boolean isXl(Path dir, String pipelineClass) {
    return (pipelineClass != null && stripRuntimePrefix(pipelineClass).startsWith("StableDiffusionXL"))
        || Files.isDirectory(dir.resolve("text_encoder_2"));
  }

  /** SDXL refiners and SDXL pipelines with other parts (ControlNet, InstructPix2Pix, ...) are refused by name. */
  private static void rejectUnsupportedXl(Path dir, String pipelineClass, JsonNode index) {
    boolean aesthetic = index != null && index.path("requires_aesthetics_score").asBoolean(false);
    boolean onlySecondEncoder = Files.isDirectory(dir.resolve("text_encoder_2"))
        && !Files.isRegularFile(dir.resolve("text_encoder/model.onnx"));
    if (aesthetic || onlySecondEncoder) {
      throw new ModelException("model at " + dir + " is an SDXL refiner (" + (aesthetic
          ? "model_index.json sets requires_aesthetics_score" : "it has text_encoder_2/ but no text_encoder/")
          + "): it only refines images (image-to-image, conditioned on an aesthetic score) and cannot make one from"
          + " text; export the SDXL base model instead (optimum-cli export onnx --model"
          + " stabilityai/stable-diffusion-xl-base-1.0 <dir>). " + SUPPORTED);
    }
    String name = pipelineClass == null ? null : stripRuntimePrefix(pipelineClass);
    if (name != null && name.startsWith("StableDiffusionXL") && !XL_PIPELINES.contains(name)) {
      throw new ModelException("model at " + dir + " is a " + pipelineClass + " (model_index.json _class_name), an SDXL"
          + " pipeline with parts diffusion-batch does not run; " + SUPPORTED);
    }
  }

  static boolean isSupportedPipeline(String pipelineClass) {
    String name = stripRuntimePrefix(pipelineClass);
    // Img2img/inpaint exports carry the same text encoders, UNet and decoder as text-to-image ones;
    // UNets that take more than the latents (inpainting, upscaling) are refused when the graph is read.
    return (name.startsWith("StableDiffusion") && !name.startsWith("StableDiffusion3")
        && !name.startsWith("StableDiffusionXL")) || name.startsWith("LatentConsistencyModel") || XL_PIPELINES.contains(name);
  }

  private static String stripRuntimePrefix(String pipelineClass) {
    return pipelineClass.replaceFirst("^(ORT|Onnx)", "");
  }

  private static Path require(Path dir, String relative) {
    Path file = dir.resolve(relative);
    if (!Files.isRegularFile(file)) {
      throw new ModelException("model at " + dir + " has no " + relative + pytorchHint(dir) + "; " + EXPORT_HINT);
    }
    return file;
  }

  private static Path requireSecondEncoder(Path dir, String relative) {
    Path file = dir.resolve(relative);
    if (!Files.isRegularFile(file)) {
      throw new ModelException("model at " + dir + " is an SDXL pipeline but has no " + relative + ": SDXL has two"
          + " text encoders (text_encoder/ with tokenizer/, text_encoder_2/ with tokenizer_2/); copy the whole export,"
          + " or export it again (optimum-cli export onnx --model <SDXL model id> <dir> writes both)");
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

  private static UnetConfig unetConfig(JsonNode c) {
    JsonNode blocks = c == null ? null : c.get("block_out_channels");
    Integer levels = blocks != null && blocks.isArray() && blocks.size() > 0 ? blocks.size() : null;
    return new UnetConfig(intOrNull(c, "sample_size"), intOrNull(c, "in_channels"), intOrNull(c, "out_channels"),
        intOrNull(c, "cross_attention_dim"), intOrNull(c, "time_cond_proj_dim"), levels);
  }

  /** diffusers' AutoencoderKL defaults: scaling_factor 0.18215, force_upcast true, 8x (four blocks). */
  private static VaeConfig vaeConfig(JsonNode c) {
    double scaling = c != null && c.path("scaling_factor").isNumber()
        ? c.get("scaling_factor").asDouble() : DEFAULT_VAE_SCALING_FACTOR;
    JsonNode blocks = c == null ? null : c.get("block_out_channels");
    int scale = blocks != null && blocks.isArray() && blocks.size() > 0 ? 1 << (blocks.size() - 1) : 8;
    boolean upcast = c == null || !c.has("force_upcast") || c.get("force_upcast").isNull() || c.get("force_upcast").asBoolean();
    return new VaeConfig(scaling, scale, floatsOrNull(c, "latents_mean"), floatsOrNull(c, "latents_std"), upcast);
  }

  private static float[] floatsOrNull(JsonNode config, String field) {
    JsonNode value = config == null ? null : config.get(field);
    if (value == null || !value.isArray()) {
      return null;
    }
    float[] out = new float[value.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) value.get(i).asDouble();
    }
    return out;
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
