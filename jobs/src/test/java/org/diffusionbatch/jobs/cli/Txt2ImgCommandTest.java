package org.diffusionbatch.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./diffusion-batch txt2img} as a user runs it: the bundled SDXL-layout models, and the refusals it
 * shares with generate (one line naming the problem, exit 2, no image).
 */
class Txt2ImgCommandTest {
  @TempDir Path dir;

  private static final Path MODELS = Path.of(System.getProperty("repo.root", "."), "models").toAbsolutePath();
  private static final String TINY_SD = MODELS.resolve("tiny-sd").toString();

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
    Run run = txt2img("--model", TINY_SD, "--prompt", "a red circle", "--output",
        dir.resolve("x.png").toString(), "--size-conditioning", "original_size=64,64");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("SDXL models only"), run.err());
  }

  @Test
  void stepsZeroAndNonFiniteGuidanceExitWith2AndWriteNoImage() {
    String[][] cases = {
      {"--steps", "0"},
      {"--guidance", "NaN"},
      {"--guidance", "Infinity"},
      {"--guidance-rescale", "1.5"},
      {"--width", "-8"},
    };
    String[] says = {"--steps must be at least 1, got 0", "--guidance must be a finite number, got NaN",
        "--guidance must be a finite number, got Infinity", "--guidance-rescale must be between 0 and 1", "--width must be at least 1"};
    for (int i = 0; i < cases.length; i++) {
      Path png = dir.resolve("out" + i + ".png");
      List<String> args = new ArrayList<>(List.of("--model", TINY_SD, "--prompt", "a red circle", "--output", png.toString()));
      args.addAll(List.of(cases[i]));
      Run run = txt2img(args.toArray(String[]::new));
      assertEquals(2, run.code(), String.join(" ", cases[i]) + ": " + run.err());
      assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
      assertTrue(run.err().contains(says[i]), run.err());
      assertFalse(Files.exists(png));
    }
  }

  @Test
  void aModelWithAnEmptyMergesFileExitsWith2NamingTheFile() throws IOException {
    Path model = copy(Path.of(TINY_SD), dir.resolve("model"));
    Files.writeString(model.resolve("tokenizer/merges.txt"), "#version: 0.2\n");
    Path png = dir.resolve("out.png");
    Run run = txt2img("--model", model.toString(), "--prompt", "a red circle", "--output", png.toString());
    assertEquals(2, run.code(), run.err());
    assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
    assertTrue(run.err().contains("merges.txt") && run.err().contains("no merges"), run.err());
    assertFalse(Files.exists(png));
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
    return to;
  }
}
