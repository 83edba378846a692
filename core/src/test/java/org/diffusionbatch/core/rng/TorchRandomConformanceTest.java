package org.diffusionbatch.core.rng;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Replays torch's own {@code randn} outputs (see /work/shared/reference/README.md, "rng"; the
 * bundled torch_cpu_randn_sequences.json adds counts that are not multiples of 16 and successive
 * draws from one generator, made by tools/conformance/make_torch_randn_cases.py) and requires the
 * SHA-256 of the float32 little-endian bytes of every draw to match exactly. Sources, deduplicated
 * by file name with the first winning: the system property {@code conformance.rng} (a directory),
 * {@code ../shared/reference/rng} under {@code repo.root}, and the copy bundled in test resources
 * so that a clone without shared/ still runs the cases.
 */
class TorchRandomConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyReferenceCaseHashesIdenticallyToTorch() throws Exception {
    Map<String, Path> files = new LinkedHashMap<>();
    String external = System.getProperty("conformance.rng");
    if (external != null) {
      List<Path> named = jsonFiles(Paths.get(external));
      assertFalse(named.isEmpty(), "-Dconformance.rng=" + external + " names a directory with no *.json cases");
      named.forEach(p -> files.putIfAbsent(p.getFileName().toString(), p));
    }
    Path shared = Paths.get(System.getProperty("repo.root", "."), "..", "shared", "reference", "rng");
    if (Files.isDirectory(shared)) {
      jsonFiles(shared).forEach(p -> files.putIfAbsent(p.getFileName().toString(), p));
    } else {
      System.out.println("rng conformance: " + shared + " absent, replaying the bundled copy only");
    }
    bundledFiles().forEach(p -> files.putIfAbsent(p.getFileName().toString(), p));

    int cases = 0;
    List<String> mismatches = new ArrayList<>();
    for (Path file : files.values()) {
      JsonNode root = JSON.readTree(file.toFile());
      var it = root.get("cases").fields();
      while (it.hasNext()) {
        var entry = it.next();
        String mismatch = replay(file.getFileName() + "#" + entry.getKey(), entry.getValue());
        if (mismatch != null) {
          mismatches.add(mismatch);
        }
        cases++;
      }
    }
    System.out.println("rng conformance: " + cases + " cases");
    assertTrue(cases > 0, "no rng conformance cases found (bundled copy missing from test resources?)");
    if (!mismatches.isEmpty()) {
      fail(mismatches.size() + " of " + cases + " rng cases differ from torch:\n" + String.join("\n", mismatches));
    }
  }

  /**
   * Returns null when the case matches, otherwise a description of the first difference. A case is
   * one {@code shape}, or {@code draws}: successive calls on one generator.
   */
  private static String replay(String name, JsonNode c) throws NoSuchAlgorithmException {
    long seed = c.get("seed").bigIntegerValue().longValue(); // torch seeds are uint64: keep the low 64 bits
    TorchGenerator generator = new TorchGenerator(seed);
    JsonNode draws = c.has("draws") ? c.get("draws") : JSON.createArrayNode().add(c);
    int total = 0;
    for (int i = 0; i < draws.size(); i++) {
      JsonNode draw = draws.get(i);
      float[] values = generator.randn(JSON.convertValue(draw.get("shape"), int[].class));
      total += values.length;
      String hash = sha256(values);
      if (!hash.equals(draw.get("sha256_float32_le").asText())) {
        String which = draws.size() > 1 ? name + " draw " + (i + 1) + " of " + draws.size() : name;
        System.out.println("FAIL " + which + " seed=" + seed + " n=" + values.length);
        return which + ": sha256 " + hash + " != " + draw.get("sha256_float32_le").asText()
            + firstDifference(draw, values);
      }
    }
    System.out.println("ok   " + name + " seed=" + seed + " n=" + total
        + (draws.size() > 1 ? " in " + draws.size() + " draws" : ""));
    return null;
  }

  private static String firstDifference(JsonNode c, float[] values) {
    JsonNode expected = c.has("values") ? c.get("values") : c.get("first");
    for (int i = 0; i < expected.size() && i < values.length; i++) {
      float want = (float) expected.get(i).asDouble();
      if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(values[i])) {
        return "; first difference at " + i + ": got " + values[i] + ", torch " + want;
      }
    }
    JsonNode last = c.get("last");
    for (int k = 0; k < last.size(); k++) {
      int i = values.length - last.size() + k;
      float want = (float) last.get(k).asDouble();
      if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(values[i])) {
        return "; difference at " + i + " (in last 32): got " + values[i] + ", torch " + want;
      }
    }
    return "; the recorded first/last values agree, the difference is in the middle";
  }

  static String sha256(float[] values) throws NoSuchAlgorithmException {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
  }

  private static List<Path> jsonFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
  }

  private static List<Path> bundledFiles() throws IOException, URISyntaxException {
    URL dir = TorchRandomConformanceTest.class.getResource("/conformance/rng");
    return dir == null ? List.of() : jsonFiles(Paths.get(dir.toURI()));
  }
}
