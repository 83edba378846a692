package org.diffusionbatch.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.core.metrics.GaussianStatistics;
import org.diffusionbatch.core.metrics.NpzStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate end to end on local Spark: a real generate output of the bundled tiny model, grouped by sampler and steps. */
class EvaluateEndToEndTest {
  @TempDir Path dir;

  @Test
  void aGenerateOutputGetsAMetricsRowPerSamplerWithSampleSizesAndStatistics() throws Exception {
    List<String> prompts = new ArrayList<>();
    for (String sampler : List.of("ddim", "euler")) {
      for (String name : MetricsRuns.NAMES) {
        prompts.add("{\"prompt\": \"a " + name + "\", \"sampler\": \"" + sampler + "\", \"steps\": 4}");
      }
    }
    Path promptFile = Files.write(dir.resolve("prompts.jsonl"), prompts);
    Path images = dir.resolve("images");
    MetricsRuns.Result generated = MetricsRuns.runQuiet("generate", "--prompts", promptFile.toString(), "--output",
        images.toString(), "--master", "local[2]", "--batch-size", "4", "--partitions", "2");
    assertEquals(0, generated.code(), generated.err());

    Path eval = dir.resolve("eval");
    MetricsRuns.Result r = MetricsRuns.runQuiet("evaluate", "--images", images.toString(), "--features",
        MetricsRuns.TINY_FEATURES, "--reference", MetricsRuns.TINY_REFERENCE_STATS, "--clip", MetricsRuns.TINY_CLIP,
        "--group-by", "sampler,steps", "--output", eval.toString(), "--master", "local[2]", "--partitions", "3");
    assertEquals(0, r.code(), r.err());

    List<Map<String, String>> rows = MetricsRuns.csv(eval.resolve("metrics.csv"));
    assertEquals(List.of("sampler", "steps", "images", "n", "excluded_unreadable", "excluded_nonfinite", "fid",
        "fid_reference_n", "fid_offset_used", "kid_mean", "kid_std", "kid_subsets", "kid_subset_size", "kid_n",
        "kid_reference_n", "clip_score", "clip_n", "feature_dim", "features_model", "features_digest", "preprocessing",
        "reference", "clip_model"), new ArrayList<>(rows.get(0).keySet()));
    assertEquals(2, rows.size());
    for (int i = 0; i < 2; i++) {
      Map<String, String> row = rows.get(i);
      assertEquals(i == 0 ? "ddim" : "euler", row.get("sampler"));
      assertEquals("4", row.get("steps"));
      assertEquals("12", row.get("images"));
      assertEquals("12", row.get("n"));
      assertEquals("0", row.get("excluded_unreadable"));
      double fid = Double.parseDouble(row.get("fid"));
      assertTrue(fid > 0 && Double.isFinite(fid), "fid " + fid);
      assertEquals("", row.get("fid_reference_n"), "a .npz does not record its n");
      assertEquals("", row.get("kid_mean"), "no --kid");
      // each prompt names its picture and CFG 7.5 makes it: the tiny CLIP scores a match near 100
      assertTrue(Double.parseDouble(row.get("clip_score")) > 80, "clip score " + row.get("clip_score"));
      assertEquals("12", row.get("clip_n"));
      assertEquals("64", row.get("feature_dim"));
      assertEquals("clean", row.get("preprocessing"));
      GaussianStatistics stats = NpzStatistics.read(eval.resolve("stats/sampler=" + row.get("sampler") + "_steps=4.npz"));
      assertEquals(64, stats.dimension());
    }
    assertTrue(r.out().contains("sampler=ddim steps=4: FID ") && r.out().contains("(n 12 vs a statistics file)")
        && r.out().contains("CLIP score"), r.out());

    // the Parquet table holds the same rows, group columns typed as in the images
    SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
    try {
      List<Row> parquet = spark.read().parquet(eval.resolve("metrics").toString()).orderBy("sampler").collectAsList();
      assertEquals(2, parquet.size());
      assertEquals(4, parquet.get(0).getInt(parquet.get(0).fieldIndex("steps")));
      assertEquals(Double.parseDouble(rows.get(1).get("fid")), parquet.get(1).getDouble(parquet.get(1).fieldIndex("fid")), 0);
    } finally {
      spark.stop();
    }
  }

  @Test
  void statisticsMergedAcrossFourPartitionsEqualOnePass() throws Exception {
    Path images = MetricsRuns.answersDataset(dir, "answers", k -> "all", 0);
    Path one = dir.resolve("one.npz");
    Path four = dir.resolve("four.npz");
    assertEquals(0, MetricsRuns.runQuiet("evaluate", "--images", images.toString(), "--features", MetricsRuns.TINY_FEATURES,
        "--save-stats", one.toString(), "--master", "local[1]", "--partitions", "1").code());
    MetricsRuns.Result r = MetricsRuns.runQuiet("evaluate", "--images", images.toString(), "--features",
        MetricsRuns.TINY_FEATURES, "--save-stats", four.toString(), "--master", "local[2]", "--partitions", "4");
    assertEquals(0, r.code(), r.err());
    assertFalse(Files.exists(dir.resolve(".four.npz.crc")), "no checksum file beside the statistics");
    GaussianStatistics a = NpzStatistics.read(one);
    GaussianStatistics b = NpzStatistics.read(four);
    double largest = 0;
    for (double v : a.covariance().data) {
      largest = Math.max(largest, Math.abs(v));
    }
    for (int i = 0; i < a.covariance().data.length; i++) {
      assertEquals(a.covariance().data[i], b.covariance().data[i], 1e-12 * largest, "sigma entry " + i);
    }
    assertArrayEquals(a.mean(), b.mean(), 1e-12);
  }
}
