package org.diffusionbatch.core.sampler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Replays Hugging Face diffusers scheduler trajectories: the copies bundled in test resources,
 * those in ../shared/reference/samplers/ when present, and a directory named by
 * {@code -Dconformance.samplers=DIR}. A case of the same name from a later source replaces the
 * earlier one.
 */
class SamplerConformanceTest {
  private static final String PROPERTY = "conformance.samplers";

  @Test
  void everyReferenceTrajectoryMatchesDiffusersWithin1e4() throws Exception {
    Map<String, ReferenceTrajectory> cases = new LinkedHashMap<>();
    addAll(cases, bundledDirectory());
    Path shared = Paths.get(System.getProperty("repo.root", "."), "..", "shared", "reference", "samplers")
        .normalize();
    if (Files.isDirectory(shared)) {
      addAll(cases, shared);
    } else {
      System.out.println("samplers conformance: " + shared + " absent; replaying bundled copies only");
    }
    String extra = System.getProperty(PROPERTY);
    if (extra != null && !extra.isBlank()) {
      Path dir = Paths.get(extra);
      int added = addAll(cases, dir);
      assertFalse(added == 0, "-D" + PROPERTY + "=" + dir + " holds no *.json sampler cases");
    }
    assumeFalse(cases.isEmpty(), "no sampler reference trajectories found (bundled or shared)");

    List<String> failures = new ArrayList<>();
    for (ReferenceTrajectory ref : cases.values()) {
      try {
        double err = TrajectoryReplay.replay(ref);
        System.out.printf("  %-28s %-32s max abs error %.3g%n", ref.name(), ref.scheduler(), err);
      } catch (AssertionError | RuntimeException e) {
        System.out.printf("  %-28s FAILED: %s%n", ref.name(), e.getMessage());
        failures.add(ref.name() + " (" + ref.source() + "): " + e.getMessage());
      }
    }
    System.out.println("samplers conformance: " + cases.size() + " cases");
    if (!failures.isEmpty()) {
      throw new AssertionError(failures.size() + " of " + cases.size()
          + " sampler cases differ from diffusers:\n  " + String.join("\n  ", failures));
    }
  }

  private static Path bundledDirectory() throws URISyntaxException {
    URL url = SamplerConformanceTest.class.getResource("/conformance/samplers");
    return url == null ? null : Paths.get(url.toURI());
  }

  private static int addAll(Map<String, ReferenceTrajectory> cases, Path dir) throws IOException {
    if (dir == null || !Files.isDirectory(dir)) {
      if (dir != null) {
        throw new AssertionError("sampler case directory " + dir + " does not exist");
      }
      return 0;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    for (Path f : files) {
      ReferenceTrajectory ref = ReferenceTrajectory.read(f);
      cases.put(ref.name(), ref);
    }
    return files.size();
  }
}
