package org.diffusionbatch.core.metrics;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One metric reference case: {@code <name>.json} and the {@code .npy} / {@code .npz} files beside
 * it (format: shared/reference/metrics/README.md).
 */
record MetricsCase(String name, String kind, Map<String, Object> meta, Map<String, String> arrays,
    Path dir) {
  private static final ObjectMapper JSON = new ObjectMapper();

  @SuppressWarnings("unchecked")
  static MetricsCase read(Path json) throws IOException {
    Map<String, Object> m = JSON.readValue(json.toFile(), new TypeReference<Map<String, Object>>() {});
    String file = json.getFileName().toString();
    String name = (String) m.getOrDefault("name", file.substring(0, file.length() - ".json".length()));
    Object kind = m.get("kind");
    if (!(kind instanceof String)) {
      throw new IOException(json + " has no \"kind\"");
    }
    return new MetricsCase(name, (String) kind, m,
        (Map<String, String>) m.getOrDefault("arrays", Map.of()), json.getParent());
  }

  NpyArray array(String role) {
    String file = arrays.get(role);
    if (file == null) {
      throw new AssertionError(name + ": the case names no \"" + role + "\" array");
    }
    return Npy.read(dir.resolve(file));
  }

  /** A file beside the case, e.g. {@code <name>.stats1.npz}; null when absent. */
  Path sibling(String suffix) {
    Path p = dir.resolve(name + suffix);
    return Files.exists(p) ? p : null;
  }

  double number(String key) {
    Object v = meta.get(key);
    if (!(v instanceof Number)) {
      throw new AssertionError(name + ": \"" + key + "\" is missing or not a number");
    }
    return ((Number) v).doubleValue();
  }

  boolean flag(String key) {
    return Boolean.TRUE.equals(meta.get(key));
  }
}
