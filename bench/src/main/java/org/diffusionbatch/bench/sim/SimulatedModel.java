package org.diffusionbatch.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusionbatch.core.model.DiffusionModel;
import org.diffusionbatch.core.model.ModelInfo;

/**
 * A Stable Diffusion 1.5 model at 512x512 whose three graphs run on a {@link SimulatedDevice}:
 * latents [4, 64, 64], text embeddings [77, 768], images [3, 512, 512], all graphs float16 as on a
 * GPU. The scheduler config, tokenizer and pipeline class (Stable Diffusion or LCM, whose UNet takes
 * a 256-wide guidance embedding) come from a model folder such as models/tiny-sd or models/tiny-lcm.
 */
public final class SimulatedModel {
  static final int HIDDEN_SIZE = 768;
  static final int LATENT_SIZE = 64;
  static final int LCM_TIME_COND_DIM = 256;
  static final double VAE_SCALING_FACTOR = 0.18215;

  private SimulatedModel() {}

  /**
   * @param folder a model folder with model_index.json, scheduler/ and tokenizer/
   * @param tokenizer a folder with CLIP's vocab.json and merges.txt to use instead of the model's, or null
   */
  public static DiffusionModel sd15(String folder, String tokenizer, SimulatedDevice device, SimulatedPictures pictures) {
    Path dir = Path.of(folder).toAbsolutePath();
    String pipelineClass = pipelineClass(dir);
    boolean lcm = pipelineClass != null && pipelineClass.startsWith("LatentConsistencyModel");
    int timeCondDim = lcm ? LCM_TIME_COND_DIM : 0;
    ModelInfo info = new ModelInfo(dir, "simulated:" + device.profile().name() + ":" + dir.getFileName(),
        "simulated-" + device.profile().name(), pipelineClass, dir.resolve("scheduler").resolve("scheduler_config.json"),
        tokenizer != null ? Path.of(tokenizer).toAbsolutePath() : dir.resolve("tokenizer"), 4, LATENT_SIZE,
        LATENT_SIZE, LATENT_SIZE, 8, HIDDEN_SIZE, timeCondDim, "float16",
        new ModelInfo.Vae(VAE_SCALING_FACTOR, 8, null, null, true), null, ModelInfo.NOT_QUANTIZED);
    return DiffusionModel.of(info, new SimulatedTextEncoder(device, HIDDEN_SIZE), null,
        new SimulatedUNet(device, HIDDEN_SIZE, timeCondDim), new SimulatedVaeDecoder(device, pictures));
  }

  private static String pipelineClass(Path dir) {
    Path index = dir.resolve("model_index.json");
    if (!Files.isRegularFile(index)) {
      throw new IllegalArgumentException("the simulated model takes its scheduler, tokenizer and pipeline class from a model"
          + " folder with model_index.json (models/tiny-sd or models/tiny-lcm); " + index + " does not exist");
    }
    try {
      JsonNode name = new ObjectMapper().readTree(index.toFile()).get("_class_name");
      return name == null ? null : name.asText();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + index, e);
    }
  }
}
