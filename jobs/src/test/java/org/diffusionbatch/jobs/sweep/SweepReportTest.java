package org.diffusionbatch.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.diffusionbatch.core.image.PngEncoder;
import org.diffusionbatch.core.pipeline.GeneratedImage;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.StageTimings;
import org.diffusionbatch.jobs.dataset.ImageRows;
import org.diffusionbatch.jobs.spark.S3Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report from a hand-made table: charts and sheets decode as PNGs, the page links only local files and renders in Chromium. */
class SweepReportTest {
  @TempDir Path dir;

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @Test
  void chartsSheetsAndPageAreWrittenAndThePageRendersInHeadlessChromium() throws Exception {
    SweepOutput output = new SweepOutput(dir.toUri().toString(), new S3Endpoint(null, null, false), new Configuration());
    List<Cell> cells = new ArrayList<>();
    List<MetricsRow> rows = new ArrayList<>();
    for (String sampler : List.of("ddim", "dpmpp-2m")) {
      for (int steps : List.of(2, 5, 10, 20)) {
        Cell cell = new Cell(Cell.idOf("/m/tiny-sd", sampler, steps, 7.5, 0, Map.of(), 128, 128), "/m/tiny-sd", "tiny-sd", sampler,
            steps, 7.5, 0, Map.of(), 128, 128, 2 * steps);
        cells.add(cell);
        double fid = (sampler.equals("ddim") ? 40.0 : 25.0) / steps;
        rows.add(new MetricsRow(cell.id(), cell.model(), "tiny-sd", sampler, steps, 7.5, 0, "", 128, 128, 2 * steps, 64, 0, fid, 0.1 * fid,
            List.of(fid, fid), 0.01 / steps, 0.002, 64, 30.0 - fid / 10, 64, 100, 0.01, 0.008, 0.001, 1.0, "run"));
        output.write("report/sheets/" + cell.id() + ".png", ContactSheet.render(cell, keptImages(9)));
      }
    }
    SweepReport.write(output, cells, rows, Set.of("sampler", "steps"));

    BufferedImage nfe = ImageIO.read(dir.resolve("report/fid_vs_nfe.png").toFile());
    assertEquals(900, nfe.getWidth());
    assertEquals(560, nfe.getHeight());
    assertTrue(Files.exists(dir.resolve("report/clip_vs_fid.png")));
    assertTrue(Files.notExists(dir.resolve("report/fid_vs_guidance.png")), "one guidance value: no guidance chart");
    BufferedImage sheet = ImageIO.read(dir.resolve("report/sheets/" + cells.get(0).id() + ".png").toFile());
    assertEquals(8 + 3 * (160 + 8), sheet.getWidth(), "3 x 3 tiles of 160 px");
    String html = Files.readString(dir.resolve("report/index.html"));
    assertTrue(html.contains("<img src=\"fid_vs_nfe.png\""), html);
    assertTrue(html.contains("sheets/" + cells.get(7).id() + ".png"), html);
    assertTrue(!html.contains("http:") && !html.contains("https:"), "no network links");

    assumeTrue(Files.isExecutable(CHROMIUM), "no " + CHROMIUM + ": the page is not rendered (apt-get install -y chromium)");
    Path shot = dir.resolve("screenshot.png");
    Process chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")), "--screenshot=" + shot, "--window-size=1400,2400",
        dir.resolve("report/index.html").toUri().toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
    assertTrue(chromium.waitFor(120, TimeUnit.SECONDS), "chromium did not finish in 2 minutes");
    BufferedImage page = ImageIO.read(shot.toFile());
    assertEquals(1400, page.getWidth());
    // The chart is drawn below the table: the screenshot holds its coloured lines, not only text on white.
    assertTrue(colouredPixels(page) > 2000, "the rendered page shows the charts and sheets");
    keepForLooking(dir);
  }

  /** -Dsweep.lookAt=DIR copies the report and screenshot there, to look at them. */
  static void keepForLooking(Path from) throws java.io.IOException {
    String to = System.getProperty("sweep.lookAt");
    if (to == null) {
      return;
    }
    try (var files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).filter(f -> !f.toString().contains("chromium-profile"))::iterator) {
        Path target = Path.of(to).resolve(from.relativize(file).toString());
        Files.createDirectories(target.getParent());
        Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static List<Row> keptImages(int count) {
    List<Row> rows = new ArrayList<>();
    PngEncoder png = new PngEncoder();
    for (int i = 0; i < count; i++) {
      byte[] rgb = new byte[3 * 128 * 128];
      for (int p = 0; p < 128 * 128; p++) {
        rgb[3 * p] = (byte) (40 * i);
        rgb[3 * p + 1] = (byte) (p % 128 * 2);
        rgb[3 * p + 2] = (byte) 200;
      }
      GeneratedImage made = new GeneratedImage(128, 128, rgb, null, new StageTimings(0, 0, 0, 0, 0));
      Row row = ImageRows.row("id" + i, new GenerationRequest("a prompt number " + i + " that is rather long for a tile", "", i),
          new org.diffusionbatch.core.pipeline.GenerationSettings("ddim", 2, 7.5, 0, 128, 128, Map.of()), "/m", "digest", made,
          png.encode(rgb, 128, 128), 0, "run");
      rows.add(KeptImages.extend(row, i, ""));
    }
    return rows;
  }

  private static long colouredPixels(BufferedImage image) {
    long coloured = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
          coloured++;
        }
      }
    }
    return coloured;
  }
}
