package org.diffusionbatch.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./diffusion-batch txt2img} on the bundled SDXL-layout models, as a user runs it. */
class Txt2ImgCommandTest {
  @TempDir Path dir;

  private static final Path MODELS = Path.of(System.getProperty("repo.root", "."), "models").toAbsolutePath();

  private record Run(int code, String out, String err) {}

  private static Run txt2img(String... args) {
    CommandLine cli = DiffusionBatchCli.commandLine();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    java.io.PrintStream stdout = System.out;
    System.setOut(new java.io.PrintStream(out, true));
    try {
      String[] all = new String[args.length + 1];
      all[0] = "txt2img";
      System.arraycopy(args, 0, all, 1, args.length);
      return new Run(cli.execute(all), out.toString(), err.toString());
    } finally {
      System.setOut(stdout);
    }
  }

  @Test
  void sdxlTurboMakesItsOneStepImageWithNoFlags() throws Exception {
    Path png = dir.resolve("turbo.png");
    Run run = txt2img("--model", MODELS.resolve("tiny-sdxl-turbo").toString(), "--prompt", "a red circle", "--output",
        png.toString(), "--threads", "1");
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains("euler-a, 1 steps, guidance 0.0"), run.out());
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(128, image.getWidth());
    int centre = image.getRGB(64, 64);
    assertTrue(((centre >> 16) & 0xff) > 150 && ((centre >> 8) & 0xff) < 100, "the red circle's centre is red: "
        + Integer.toHexString(centre));
  }

  @Test
  void sdxlSizeConditioningIsPassedToTheModel() throws Exception {
    Path plain = dir.resolve("plain.png");
    Path small = dir.resolve("small.png");
    String model = MODELS.resolve("tiny-sdxl").toString();
    assertEquals(0, txt2img("--model", model, "--prompt", "a red circle", "--output", plain.toString(), "--steps", "8",
        "--threads", "1").code());
    Run run = txt2img("--model", model, "--prompt", "a red circle", "--output", small.toString(), "--steps", "8",
        "--threads", "1", "--size-conditioning", "original_size=64,64");
    assertEquals(0, run.code(), run.err());
    // the analytic model makes the yellow square when the original size is not the image's
    int centre = ImageIO.read(small.toFile()).getRGB(64, 64);
    assertTrue(((centre >> 8) & 0xff) > 150 && (centre & 0xff) < 100, "yellow: " + Integer.toHexString(centre));
  }

  @Test
  void sizeConditioningOnAStableDiffusionModelIsABadArgument() {
    Run run = txt2img("--model", MODELS.resolve("tiny-sd").toString(), "--prompt", "a red circle", "--output",
        dir.resolve("x.png").toString(), "--size-conditioning", "original_size=64,64");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("SDXL models only"), run.err());
  }
}
