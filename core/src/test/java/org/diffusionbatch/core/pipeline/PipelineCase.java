package org.diffusionbatch.core.pipeline;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.diffusionbatch.core.model.TinyModels;

/**
 * One case of a pipelines reference folder ({@code shared/reference/pipelines/}, format in its
 * README): a folder with {@code cases/<id>.json} (+ the expected PNG and an optional trace .npz) and
 * {@code models/<model>/} (an Optimum export).
 *
 * @param root the reference folder holding cases/ and models/
 * @param negativePrompt null when the case gives none (not the same as "" for SDXL)
 * @param sampler the project's sampler name, or null for the model's own scheduler
 * @param overrides files replaced in a copy of the model folder (relative path to JSON content)
 * @param trace the trace .npz, or null
 */
record PipelineCase(Path root, String id, String model, String prompt, String negativePrompt, long seed, String sampler,
    int steps, double guidance, int width, int height, Map<String, JsonNode> overrides, Path expected, Path trace) {

  // diffusers writes Python's float('-inf') (lambda_min_clipped) as the bare token -Infinity
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  /** Every case of {@code root/cases/*.json}, by file name. */
  static List<PipelineCase> readAll(Path root) throws IOException {
    Path cases = root.resolve("cases");
    if (!Files.isDirectory(cases) || !Files.isDirectory(root.resolve("models"))) {
      throw new IllegalArgumentException(root + " is not a pipelines reference folder: it needs cases/ and models/");
    }
    List<PipelineCase> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(cases)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        out.add(read(root, f));
      }
    }
    return out;
  }

  static PipelineCase read(Path root, Path file) throws IOException {
    JsonNode c = JSON.readTree(file.toFile());
    Map<String, JsonNode> overrides = new LinkedHashMap<>();
    JsonNode o = c.get("overrides");
    if (o != null && o.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        overrides.put(e.getKey(), e.getValue());
      }
    }
    Path dir = file.getParent();
    return new PipelineCase(root, text(c, "id"), text(c, "model"), text(c, "prompt"), text(c, "negative_prompt"),
        c.get("seed").asLong(), text(c, "sampler"), c.get("steps").asInt(), c.get("guidance").asDouble(),
        c.get("width").asInt(), c.get("height").asInt(), overrides, dir.resolve(text(c, "expected")),
        c.hasNonNull("trace") ? dir.resolve(text(c, "trace")) : null);
  }

  private static String text(JsonNode c, String field) {
    JsonNode v = c.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  Path modelDir() {
    return root.resolve("models").resolve(model);
  }

  /**
   * The model folder this case runs: the shared one, or with overrides a copy in {@code temp}
   * (the files replaced, everything else copied) so the shared folder is never written.
   */
  Path preparedModel(Path temp) throws IOException {
    if (overrides.isEmpty()) {
      return modelDir();
    }
    Path copy = TinyModels.copyTree(modelDir(), temp.resolve(id + "-" + model));
    for (Map.Entry<String, JsonNode> e : overrides.entrySet()) {
      Path to = copy.resolve(e.getKey()).normalize();
      if (!to.startsWith(copy)) {
        throw new IllegalArgumentException("case " + id + " overrides " + e.getKey() + ", outside the model folder");
      }
      Files.createDirectories(to.getParent());
      JSON.writerWithDefaultPrettyPrinter().writeValue(to.toFile(), e.getValue());
    }
    return copy;
  }

  GenerationSettings settings() {
    return new GenerationSettings(sampler, steps, guidance, 0, width, height, null);
  }

  GenerationRequest request() {
    return new GenerationRequest(prompt, negativePrompt, seed);
  }

  @Override
  public String toString() {
    return id + " (" + model + ", " + (sampler == null ? "model's scheduler" : sampler) + ", " + steps + " steps, guidance "
        + guidance + ", " + width + "x" + height + ")";
  }
}
