package org.diffusionbatch.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./diffusion-batch fid A B}: statistics files, feature matrices and image sets. */
class FidCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SHARED = MetricsRuns.ROOT.resolve("../shared/reference/metrics").normalize();

  @TempDir Path dir;

  private static String stats(String name) {
    return MetricsRuns.STATS_FIXTURES.resolve(name).toString();
  }

  @Test
  void fidOfTheCommittedNpzPairIsPytorchFidsNumber() throws Exception {
    double expected = JSON.readTree(MetricsRuns.STATS_FIXTURES.resolve("pair.json").toFile()).get("fid").asDouble();
    MetricsRuns.Result r = MetricsRuns.run("fid", stats("pair_a.npz"), stats("pair_b.npz"));
    assertEquals(0, r.code(), r.err());
    assertEquals(expected, r.fid(), 1e-6 * expected);
    assertTrue(r.lastLine().contains("(A: a statistics file (n not recorded), B: a statistics file (n not recorded))"),
        r.lastLine());
  }

  @Test
  void fidOfEverySharedReferenceCaseFromItsNpzFilesIsTheReferenceValue() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(SHARED), () -> {
      System.out.println("SKIPPED: no shared metric references at " + SHARED);
      return "no " + SHARED;
    });
    int cases = 0;
    try (Stream<Path> files = Files.list(SHARED)) {
      for (Path json : files.filter(p -> p.getFileName().toString().matches("fid_.*\\.json")).sorted().toList()) {
        JsonNode c = JSON.readTree(json.toFile());
        String name = c.get("name").asText();
        MetricsRuns.Result r = MetricsRuns.run("fid", SHARED.resolve(name + ".stats1.npz").toString(),
            SHARED.resolve(name + ".stats2.npz").toString());
        assertEquals(0, r.code(), name + ": " + r.err());
        double expected = c.get("fid").asDouble();
        assertEquals(expected, r.fid(), 1e-6 * Math.abs(expected), name);
        cases++;
      }
    }
    System.out.println("fid command on shared references: " + cases + " cases");
    assertTrue(cases > 0, "no fid_*.json in " + SHARED);
  }

  @Test
  void featureMatricesGiveTheFidOfTheirStatisticsAndStateTheirRows() throws Exception {
    double expected = JSON.readTree(MetricsRuns.STATS_FIXTURES.resolve("pair.json").toFile()).get("fid").asDouble();
    MetricsRuns.Result r = MetricsRuns.run("fid", stats("pair_a.npy"), stats("pair_b.npy"));
    assertEquals(0, r.code(), r.err());
    assertEquals(expected, r.fid(), 1e-6 * expected);
    assertTrue(r.lastLine().endsWith("(A: 300 feature rows, B: 250 feature rows)"), r.lastLine());
  }

  @Test
  void kidOfTheSharedEqualSizeCaseWithEveryRowInOneSubsetIsTheReference() throws Exception {
    Path json = SHARED.resolve("kid_equal_s11.json");
    Assumptions.assumeTrue(Files.isRegularFile(json), () -> {
      System.out.println("SKIPPED: no " + json);
      return "no " + json;
    });
    JsonNode c = JSON.readTree(json.toFile());
    MetricsRuns.Result r = MetricsRuns.run("fid", SHARED.resolve("kid_equal_s11.features1.npy").toString(),
        SHARED.resolve("kid_equal_s11.features2.npy").toString(), "--kid", "--kid-subset-size", "300");
    assertEquals(0, r.code(), r.err());
    String[] words = r.lastLine().split("\\s+");
    assertEquals("KID:", words[2], r.lastLine());
    double expected = c.get("kid").asDouble();
    assertEquals(expected, Double.parseDouble(words[3]), 1e-9 * Math.abs(expected));
    assertTrue(r.lastLine().contains("KID: 1 subset of 300 from 300 and 300"), r.lastLine());
  }

  @Test
  void imageFoldersAreMeasuredWithTheFeatureModelAndIdenticalSetsAreAtZero() throws Exception {
    Path a = MetricsRuns.answersFolder(dir, "a");
    Path b = MetricsRuns.answersFolder(dir, "b");
    MetricsRuns.Result r = MetricsRuns.runQuiet("fid", a.toString(), b.toString(), "--features", MetricsRuns.TINY_FEATURES,
        "--master", "local[2]");
    assertEquals(0, r.code(), r.err());
    assertEquals(0, r.fid(), 1e-6);
    assertTrue(r.lastLine().endsWith("(A: 12 images, B: 12 images)"), r.lastLine());

    // against the 10,000 exact samples' statistics: 12 mean pictures are far from the distribution's spread
    MetricsRuns.Result ref = MetricsRuns.runQuiet("fid", a.toString(), MetricsRuns.TINY_REFERENCE_STATS, "--features",
        MetricsRuns.TINY_FEATURES, "--master", "local[1]");
    assertEquals(0, ref.code(), ref.err());
    assertTrue(ref.fid() > 0.001, ref.lastLine());
  }

  @Test
  void anImageSetWithoutFeaturesIsRefused() throws Exception {
    Path a = MetricsRuns.answersFolder(dir, "a");
    MetricsRuns.Result r = MetricsRuns.run("fid", a.toString(), MetricsRuns.TINY_REFERENCE_STATS);
    assertEquals(2, r.code());
    assertTrue(r.err().contains("needs --features MODEL"), r.err());
  }

  @Test
  void setsOfDifferentDimensionsAreRefusedNamingBoth() {
    MetricsRuns.Result r = MetricsRuns.run("fid", stats("pair_a.npz"), MetricsRuns.TINY_REFERENCE_STATS);
    assertEquals(2, r.code());
    assertTrue(r.err().contains("64-d") && r.err().contains("16-d"), r.err());
  }

  @Test
  void kidOfAStatisticsFileIsRefused() {
    MetricsRuns.Result r = MetricsRuns.run("fid", stats("pair_a.npz"), stats("pair_b.npy"), "--kid");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--kid needs feature vectors") && r.err().contains("pair_a.npz"), r.err());
  }

}
