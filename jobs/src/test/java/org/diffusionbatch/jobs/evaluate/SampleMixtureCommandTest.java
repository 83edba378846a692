package org.diffusionbatch.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sample-mixture}: exact samples of the tiny models' mixture decoded to PNG files, the FID reference set. */
class SampleMixtureCommandTest {
  @TempDir Path dir;

  /**
   * Seed 0 draws component 10 (yellow square) and seed 1 component 6 (blue circle), as
   * java.util.SplittableRandom's published algorithm gives (core's LatentMixtureTest pins the latents).
   * The pictures' colours are tools/tiny_models/README.md's: a centred shape on light grey.
   */
  @Test
  void samplesAreDecodedInBatchesIntoNamedPngsAndAnIndex() throws Exception {
    Path out = dir.resolve("exact");
    MetricsRuns.Result r = MetricsRuns.run("sample-mixture", "--count", "2", "--seed", "0", "--batch-size", "1",
        "--output", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("per component:") && r.out().contains("yellow square 1") && r.out().contains("blue circle 1"),
        r.out());
    assertEquals(List.of("index,seed,component", "0,0,yellow square", "1,1,blue circle"),
        Files.readAllLines(out.resolve("samples.csv"), StandardCharsets.UTF_8));
    assertPicture(out.resolve("000000-yellow-square.png"), new int[] {235, 200, 30});
    assertPicture(out.resolve("000001-blue-circle.png"), new int[] {40, 80, 220});
    try (var files = Files.list(out)) {
      assertEquals(3, files.count(), "two PNG files and samples.csv, no staging left");
    }
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no staging folder left beside the output");
    }
  }

  @Test
  void anExistingOutputIsKeptWithoutOverwrite() throws Exception {
    Path out = Files.createDirectories(dir.resolve("exact"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    MetricsRuns.Result r = MetricsRuns.run("sample-mixture", "--count", "1", "--output", out.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("already exists; give --overwrite to replace it"), r.err());
    assertEquals("mine", Files.readString(out.resolve("keep.txt")));
  }

  /** 128 x 128, the shape's colour at the centre and the grey background in the corner, within the mixture's noise. */
  private static void assertPicture(Path png, int[] colour) throws Exception {
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(128, image.getWidth());
    assertEquals(128, image.getHeight());
    assertNear(colour, image.getRGB(64, 64), png + " centre");
    assertNear(new int[] {232, 232, 232}, image.getRGB(3, 3), png + " corner");
  }

  private static void assertNear(int[] expected, int rgb, String where) {
    int[] actual = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
    for (int c = 0; c < 3; c++) {
      assertEquals(expected[c], actual[c], 25, where + ": RGB " + actual[0] + "," + actual[1] + "," + actual[2]);
    }
  }
}
