package org.diffusionbatch.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** txt2img refuses what generate refuses: one line naming the problem, exit 2, no image. */
class Txt2ImgCommandTest {
  private static final String TINY_SD = Path.of("models", "tiny-sd").toAbsolutePath().toString();

  @TempDir Path dir;

  private record Outcome(int code, String err) {}

  private Outcome run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = DiffusionBatchCli.commandLine().setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("txt2img"));
    all.addAll(List.of(args));
    return new Outcome(cli.execute(all.toArray(String[]::new)), err.toString());
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
      Outcome outcome = run(args.toArray(String[]::new));
      assertEquals(2, outcome.code(), String.join(" ", cases[i]) + ": " + outcome.err());
      assertEquals(1, outcome.err().strip().lines().count(), "one line: " + outcome.err());
      assertTrue(outcome.err().contains(says[i]), outcome.err());
      assertFalse(Files.exists(png));
    }
  }

  @Test
  void aModelWithAnEmptyMergesFileExitsWith2NamingTheFile() throws IOException {
    Path model = copy(Path.of(TINY_SD), dir.resolve("model"));
    Files.writeString(model.resolve("tokenizer/merges.txt"), "#version: 0.2\n");
    Path png = dir.resolve("out.png");
    Outcome outcome = run("--model", model.toString(), "--prompt", "a red circle", "--output", png.toString());
    assertEquals(2, outcome.code(), outcome.err());
    assertEquals(1, outcome.err().strip().lines().count(), "one line: " + outcome.err());
    assertTrue(outcome.err().contains("merges.txt") && outcome.err().contains("no merges"), outcome.err());
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
