package org.diffusionbatch.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.parquet.example.data.Group;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep end to end on the bundled tiny model, feature model and reference set (real Spark
 * local[2]): a 2 samplers x 2 step counts x 2 guidance grid at 64 images per cell, run once
 * uninterrupted; a second sweep whose one cell dies, then resumed, must equal it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SweepEndToEndTest {
  @TempDir static Path dir;

  private Path output;
  private List<String> common;

  @BeforeAll
  void runUninterruptedSweep() throws Exception {
    Path prompts = Sweeps.prompts(dir, 80);
    Path reference = Sweeps.referenceSet(dir, 128);
    common = List.of("--prompts", prompts.toString(), "--features", Sweeps.TINY_FEATURES, "--reference", reference.toString(),
        "--clip", Sweeps.TINY_CLIP, "--images-per-cell", "64", "--grid", "sampler=ddim,dpmpp-2m", "--grid", "steps=2,20",
        "--grid", "guidance=1,7.5", "--chunk-size", "8", "--kid-subsets", "20", "--kid-subset-size", "32", "--kid-sample", "64");
    output = dir.resolve("sweep");
    Sweeps.Result run = Sweeps.run(ModelLoaders.REAL, with("--output", output.toString()));
    assertEquals(SweepCommand.EXIT_OK, run.exitCode(), run.stderr());
  }

  @Test
  void writesTheTableTheChartsAndTheSheets() throws Exception {
    List<Group> table = Parquet.rows(output.resolve("metrics"));
    assertEquals(8, table.size());
    Set<String> settings = new HashSet<>();
    for (Group row : table) {
      settings.add(row.getString("sampler", 0) + " " + row.getInteger("steps", 0) + " " + row.getDouble("guidance", 0));
      assertEquals(64, row.getLong("n", 0));
      int steps = row.getInteger("steps", 0);
      assertEquals(row.getDouble("guidance", 0) > 1 ? 2 * steps : steps, row.getInteger("nfe", 0), "NFE counts the CFG batch");
      assertTrue(Double.isFinite(row.getDouble("fid", 0)) && row.getDouble("fid_error", 0) > 0);
      assertEquals(32, row.getInteger("kid_n", 0));
      assertTrue(row.getDouble("clip_score", 0) >= 0);
    }
    assertEquals(Set.of("ddim 2 1.0", "ddim 2 7.5", "ddim 20 1.0", "ddim 20 7.5", "dpmpp-2m 2 1.0", "dpmpp-2m 2 7.5",
        "dpmpp-2m 20 1.0", "dpmpp-2m 20 7.5"), settings);
    assertEquals(9, Files.readAllLines(output.resolve("metrics.csv")).size(), "header and 8 rows");
    assertTrue(Files.readString(output.resolve("summary.md")).contains("| ddim | 20 | 7.5 | 40 | 64 |"));

    assertChart(output.resolve("report/fid_vs_nfe.png"));
    assertChart(output.resolve("report/fid_vs_guidance.png"));
    assertChart(output.resolve("report/clip_vs_fid.png"));
    String html = Files.readString(output.resolve("report/index.html"));
    for (Group row : table) {
      String id = row.getString("cell_id", 0);
      BufferedImage sheet = ImageIO.read(output.resolve("report/sheets/" + id + ".png").toFile());
      assertEquals(8 + 4 * (160 + 8), sheet.getWidth(), "16 kept images: 4 x 4 tiles");
      assertTrue(html.contains("sheets/" + id + ".png"));
      assertEquals(16, Parquet.rows(output.resolve("images/cell_id=" + id)).size());
      assertTrue(Files.exists(output.resolve("cells/" + id + "/stats.npz")));
    }
    try (var runs = Files.list(output.resolve("_runs"))) {
      assertEquals(1, runs.count());
    }
    SweepReportTest.keepForLooking(output);
  }

  @Test
  void moreStepsOfTheSameSamplerLandCloserToTheReferenceBeyondTheSamplingError() throws Exception {
    Map<String, double[]> fid = new HashMap<>();
    for (Group row : Parquet.rows(output.resolve("metrics"))) {
      fid.put(row.getString("sampler", 0) + " " + row.getInteger("steps", 0) + " " + row.getDouble("guidance", 0),
          new double[] {row.getDouble("fid", 0), row.getDouble("fid_error", 0)});
    }
    // DDIM at 2 steps lands visibly off the mixture; at 20 steps FID is down to the sampling noise.
    double[] few = fid.get("ddim 2 1.0");
    double[] many = fid.get("ddim 20 1.0");
    double margin = 2 * Math.hypot(few[1], many[1]);
    assertTrue(few[0] - many[0] > margin, "DDIM: FID at 2 steps " + few[0] + " ± " + few[1] + ", at 20 steps " + many[0] + " ± " + many[1]);
  }

  @Test
  void aResumedSweepAfterACellDiedEqualsTheUninterruptedOne() throws Exception {
    // Two of the grid's cells (the same settings give the same cell ids), without CLIP (it does not enter FID), to save time.
    List<String> two = new java.util.ArrayList<>(common.subList(0, common.indexOf("--clip")));
    two.addAll(List.of("--images-per-cell", "64", "--grid", "sampler=ddim,dpmpp-2m", "--grid", "steps=20", "--grid", "guidance=7.5",
        "--chunk-size", "8", "--kid-subsets", "20", "--kid-subset-size", "32", "--kid-sample", "64"));
    Path resumed = dir.resolve("resumed");
    two.addAll(List.of("--output", resumed.toString()));
    Sweeps.Result first = Sweeps.run(new FailingCellLoaders("dpmpp-2m", 20, 7.5), two.toArray(String[]::new));
    assertEquals(SweepCommand.EXIT_SOME_CELLS_FAILED, first.exitCode(), first.stderr());
    assertEquals(1, Parquet.rows(resumed.resolve("metrics")).size(), "the other cell is saved");

    two.add("--resume");
    Sweeps.Result second = Sweeps.run(ModelLoaders.REAL, two.toArray(String[]::new));
    assertEquals(SweepCommand.EXIT_OK, second.exitCode(), second.stderr());
    Map<String, Double> uninterrupted = fids(output);
    Map<String, Double> actual = fids(resumed);
    assertEquals(2, actual.size());
    actual.forEach((cell, value) -> assertEquals(uninterrupted.get(cell), value, 1e-12, cell));
    try (var runs = Files.list(resumed.resolve("_runs"))) {
      assertEquals(2, runs.count(), "one manifest per run");
    }
  }

  private Map<String, Double> fids(Path sweep) throws Exception {
    Map<String, Double> fids = new HashMap<>();
    for (Group row : Parquet.rows(sweep.resolve("metrics"))) {
      fids.put(row.getString("cell_id", 0), row.getDouble("fid", 0));
    }
    return fids;
  }

  private String[] with(String... extra) {
    List<String> all = new java.util.ArrayList<>(common);
    all.addAll(List.of(extra));
    return all.toArray(String[]::new);
  }

  private static void assertChart(Path png) throws Exception {
    BufferedImage chart = ImageIO.read(png.toFile());
    assertEquals(900, chart.getWidth(), png.toString());
    assertEquals(560, chart.getHeight(), png.toString());
  }
}
