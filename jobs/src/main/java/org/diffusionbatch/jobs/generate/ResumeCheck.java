package org.diffusionbatch.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.diffusionbatch.jobs.generate.output.ManifestWriter;
import org.diffusionbatch.jobs.generate.output.RunManifest;
import org.diffusionbatch.jobs.spark.ConfigurationException;
import org.diffusionbatch.jobs.spark.StorageAccess;

/**
 * {@code --resume} adds rows to a dataset earlier runs made: unless asked to
 * ({@code --resume-with-new-settings}), they must be made the same way — the same model (digest)
 * and the same run settings (sampler, steps, guidance, size, sampler options, negative prompt, base
 * seed) as every earlier run that may have written rows, as their manifests record them.
 */
final class ResumeCheck {
  private ResumeCheck() {}

  /** The options that set each recorded setting, to name a difference as the user gives it. */
  private static final Map<String, String> OPTION = Map.of(
      "model_digest", "--model (digest)", "sampler", "--sampler", "steps", "--steps", "guidanceScale", "--guidance",
      "guidanceRescale", "--guidance-rescale", "width", "--width", "height", "--height", "samplerOverrides", "--sampler-option",
      "negativePrompt", "--negative-prompt", "baseSeed", "--seed");

  /** Throws (exit 2) naming every difference between this run and the earlier runs' manifests. */
  static void requireSameSettings(List<Path> manifests, Configuration hadoop, String output, String modelDigest, RunSettings run) {
    JsonNode mine = ManifestWriter.tree(run);
    Map<String, Map<String, TreeSet<String>>> differences = new LinkedHashMap<>();
    for (Path path : manifests) {
      JsonNode earlier;
      try {
        earlier = ManifestWriter.read(path, hadoop);
      } catch (IOException | RuntimeException e) {
        throw StorageAccess.explain("--resume: the manifest", path.toString(), "read", e);
      }
      if (!mayHaveWritten(earlier) || !earlier.has("settings")) {
        continue;
      }
      String runId = earlier.path("run_id").asText(path.getName());
      if (!modelDigest.equals(earlier.path("model_digest").asText())) {
        differ(differences, "model_digest", earlier.path("model_digest").asText(), runId);
      }
      JsonNode settings = earlier.get("settings");
      for (Iterator<String> names = mine.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        JsonNode theirs = settings.get(name);
        if (theirs != null && !equalValues(mine.get(name), theirs)) {
          differ(differences, name, theirs.toString(), runId);
        }
      }
    }
    if (differences.isEmpty()) {
      return;
    }
    List<String> parts = new ArrayList<>();
    differences.forEach((name, values) -> {
      String now = name.equals("model_digest") ? modelDigest : mine.get(name).toString();
      List<String> earlier = new ArrayList<>();
      values.forEach((value, runs) -> earlier.add(value + " in run" + (runs.size() > 1 ? "s " : " ") + String.join(", ", runs)));
      parts.add(OPTION.getOrDefault(name, name) + " " + now + " (was " + String.join("; ", earlier) + ")");
    });
    throw new ConfigurationException("--resume: --output " + output + " was made with other settings than this run's: "
        + String.join(", ", parts) + ". Give the same settings and model, pass --resume-with-new-settings to add rows made"
        + " differently to this dataset, or write to another --output");
  }

  /** A run whose counts say it made no image, and that ended, wrote no rows; a "running" one may have died after a commit. */
  private static boolean mayHaveWritten(JsonNode manifest) {
    String status = manifest.path("status").asText(RunManifest.COMPLETE);
    return status.equals(RunManifest.RUNNING) || manifest.path("counts").path("made").asLong(1) > 0;
  }

  /** Numbers compare by value (7.5 and 7.50), everything else as JSON. */
  private static boolean equalValues(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  private static void differ(Map<String, Map<String, TreeSet<String>>> differences, String name, String value, String runId) {
    differences.computeIfAbsent(name, n -> new LinkedHashMap<>()).computeIfAbsent(value, v -> new TreeSet<>()).add(runId);
  }
}
