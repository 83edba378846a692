package org.diffusionbatch.jobs.sweep;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.diffusionbatch.jobs.evaluate.SampleMixtureCommand;
import picocli.CommandLine;

/** Runs the sweep command in this JVM, as the command line would, with a chosen model loader; and its inputs. */
final class Sweeps {
  private Sweeps() {}

  static final String TINY_SD = Path.of("models", "tiny-sd").toAbsolutePath().toString();
  static final String TINY_FEATURES = Path.of("models", "tiny-features").toAbsolutePath().toString();
  static final String TINY_CLIP = Path.of("models", "tiny-clip").toAbsolutePath().toString();

  static final List<String> QUIET = List.of(
      "--master", "local[2]",
      "--conf", "spark.ui.enabled=false",
      "--conf", "spark.sql.shuffle.partitions=2");

  /** What a run returned and printed on stderr. */
  record Result(int exitCode, String stderr) {}

  static Result run(ModelLoaders loaders, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(QUIET);
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(new TeeStream(original, captured), true));
    try {
      SweepCommand command = new SweepCommand();
      try {
        new CommandLine(command).parseArgs(all.toArray(String[]::new));
      } catch (CommandLine.ParameterException e) {
        System.err.println(e.getMessage());
        return new Result(SweepCommand.EXIT_BAD_ARGUMENTS, captured.toString());
      }
      SweepOptions options;
      try {
        options = command.toOptions(all);
      } catch (IllegalArgumentException e) {
        System.err.println("sweep: " + e.getMessage());
        return new Result(SweepCommand.EXIT_BAD_ARGUMENTS, captured.toString());
      }
      int code = new SweepRun(options, loaders).execute();
      return new Result(code, captured.toString());
    } finally {
      System.setErr(original);
    }
  }

  /** Prompts that name no colour or shape ("picture 0", ...): the tiny models' images then follow the unconditional mixture. */
  static Path prompts(Path dir, int count) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      lines.add("picture " + i);
    }
    return Files.write(dir.resolve("prompts.txt"), lines);
  }

  /** Exact samples of the tiny models' data distribution as PNG files: the reference set. */
  static Path referenceSet(Path dir, int count) {
    Path out = dir.resolve("reference");
    int code = new CommandLine(new SampleMixtureCommand()).execute("--output", out.toString(), "--count", Integer.toString(count),
        "--seed", "1000000");
    if (code != 0) {
      throw new IllegalStateException("sample-mixture failed with exit code " + code);
    }
    return out;
  }

  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
