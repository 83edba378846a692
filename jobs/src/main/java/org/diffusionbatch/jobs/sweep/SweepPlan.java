package org.diffusionbatch.jobs.sweep;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code sweep.json}: what a sweep's cells were made from. A resumed sweep must have the same
 * sample rows, error groups and scoring (else its finished cells would not compare with the new
 * ones); its grid may differ (cells are found by id, so a grid can be extended).
 *
 * @param rowsDigest sha-256 over every sample row's key, prompt, negative prompt and seed, in order
 */
record SweepPlan(
    @JsonProperty("prompts") String prompts,
    @JsonProperty("images_per_cell") int imagesPerCell,
    @JsonProperty("rows_digest") String rowsDigest,
    @JsonProperty("error_groups") int errorGroups,
    @JsonProperty("scoring") Map<String, Object> scoring,
    @JsonProperty("cells") List<Map<String, Object>> cells) {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static SweepPlan of(SweepOptions options, List<SampleRow> rows, Map<String, Object> scoring, List<Cell> cells) {
    List<Map<String, Object>> cellList = new ArrayList<>();
    for (Cell cell : cells) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("cell_id", cell.id());
      c.put("model", cell.model());
      c.put("sampler", cell.sampler());
      c.put("steps", cell.steps());
      c.put("guidance", cell.guidance());
      c.put("guidance_rescale", cell.guidanceRescale());
      c.put("sampler_options", cell.samplerOptions());
      c.put("width", cell.width());
      c.put("height", cell.height());
      c.put("nfe", cell.nfe());
      cellList.add(c);
    }
    return new SweepPlan(options.prompts(), rows.size(), digest(rows), options.errorGroups(), scoring, cellList);
  }

  /** Null when a resume may use the earlier plan's cells, else what differs. */
  String incompatibility(SweepPlan earlier) {
    if (!rowsDigest.equals(earlier.rowsDigest) || imagesPerCell != earlier.imagesPerCell) {
      return "the sample rows differ (earlier: " + earlier.imagesPerCell + " images per cell from " + earlier.prompts
          + "; now: " + imagesPerCell + " from " + prompts + ", or other prompts, seeds or --seed)";
    }
    if (errorGroups != earlier.errorGroups) {
      return "--error-groups differs (earlier " + earlier.errorGroups + ", now " + errorGroups + ")";
    }
    if (!Objects.equals(tree(scoring), tree(earlier.scoring))) {
      return "the scoring differs (features, reference, CLIP or KID settings): earlier " + earlier.scoring + ", now " + scoring;
    }
    return null;
  }

  /** As JSON holds it, so a map read back from sweep.json compares equal to the one it was written from. */
  private static com.fasterxml.jackson.databind.JsonNode tree(Object value) {
    try {
      return JSON.readTree(JSON.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  byte[] json() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write sweep.json", e);
    }
  }

  static SweepPlan parse(byte[] json) throws IOException {
    return JSON.readValue(json, SweepPlan.class);
  }

  static String digest(List<SampleRow> rows) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (SampleRow row : rows) {
        sha.update((row.key() + "\u0000" + row.prompt() + "\u0000" + row.negativePrompt() + "\u0000" + row.seed() + "\n")
            .getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
