package org.diffusionbatch.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What evaluate refuses before any work (exit 2, nothing written) and what it counts and leaves
 * out (exit 3, said in the table and the summary).
 */
class EvaluateErrorsTest {
  @TempDir static Path fixtures;
  @TempDir Path dir;

  /** 12 answer pictures, groups "a" (11) and "b" (the yellow triangle alone), plus one undecodable row. */
  private static Path answers;

  @BeforeAll
  static void dataset() throws Exception {
    answers = MetricsRuns.answersDataset(fixtures, "answers", k -> k == 11 ? "b" : "a", 1);
  }

  private MetricsRuns.Result evaluate(String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("evaluate", "--images", answers.toString(), "--output",
        dir.resolve("eval").toString(), "--master", "local[1]"));
    args.addAll(List.of(extra));
    return MetricsRuns.runQuiet(args.toArray(String[]::new));
  }

  private void assertNothingWritten() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(), files.toList(), "nothing written");
    }
  }

  @Test
  void aGroupOfOneImageIsRefusedBeforeAnyWork() throws Exception {
    MetricsRuns.Result r = evaluate("--features", MetricsRuns.TINY_FEATURES, "--group-by", "group");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("at least 2 images per group") && r.err().contains("group=b (1 image)"), r.err());
    assertNothingWritten();
  }

  @Test
  void aReferenceOfAnotherDimensionIsRefusedNamingBoth() throws Exception {
    MetricsRuns.Result r = evaluate("--features", MetricsRuns.TINY_FEATURES, "--reference",
        MetricsRuns.STATS_FIXTURES.resolve("pair_a.npz").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("pair_a.npz holds 16-d features") && r.err().contains("gives 64-d"), r.err());
    assertNothingWritten();
  }

  @Test
  void aFeatureModelWhoseInputCannotBeFedIsRefusedNamingTheInput() throws Exception {
    MetricsRuns.Result r = evaluate("--features", MetricsRuns.MODEL_FIXTURES.resolve("uint8-input").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("input images uint8 [?, 3, 64, 64] cannot be fed"), r.err());
    assertNothingWritten();
  }

  @Test
  void clipWithoutAPromptColumnIsRefusedNamingTheColumn() throws Exception {
    MetricsRuns.Result r = evaluate("--clip", MetricsRuns.TINY_CLIP, "--prompt-column", "caption");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("no string column 'caption'"), r.err());
    assertNothingWritten();
  }

  @Test
  void anExistingOutputIsKeptWithoutOverwrite() throws Exception {
    Files.createDirectories(dir.resolve("eval"));
    MetricsRuns.Result r = evaluate("--features", MetricsRuns.TINY_FEATURES);
    assertEquals(2, r.code());
    assertTrue(r.err().contains("already exists; give --overwrite"), r.err());
  }

  @Test
  void unreadableImagesAndNonFiniteFeaturesAreCountedLeftOutAndSaid() throws Exception {
    // the fixture model's 4th feature is sqrt(mean R - mean B): NaN for the 3 green and 3 blue pictures
    MetricsRuns.Result r = evaluate("--features", MetricsRuns.MODEL_FIXTURES.resolve("nan-features").toString(),
        "--clip", MetricsRuns.TINY_CLIP);
    assertEquals(3, r.code(), r.err());
    List<Map<String, String>> rows = MetricsRuns.csv(dir.resolve("eval/metrics.csv"));
    assertEquals(1, rows.size());
    Map<String, String> row = rows.get(0);
    assertEquals("13", row.get("images"));
    assertEquals("6", row.get("n"));
    assertEquals("1", row.get("excluded_unreadable"));
    assertEquals("6", row.get("excluded_nonfinite"));
    assertEquals("12", row.get("clip_n"), "CLIP score needs no features: every decodable image has one");
    assertTrue(r.out().contains("left out: 1 image(s) that could not be decoded, 6 with non-finite features"), r.out());
    assertFalse(Files.exists(dir.resolve("eval/stats/all.npz.crc")));
  }
}
