package org.diffusionbatch.jobs.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.diffusionbatch.jobs.model.ImageMakerFactory;
import picocli.CommandLine;

/** Runs the generate command in this JVM, as the command line would, with a chosen model loader. */
final class Runs {
  private Runs() {}

  /** Spark conf every test run uses: no UI, few shuffle partitions, quick progress lines. */
  static final List<String> QUIET = List.of(
      "--conf", "spark.ui.enabled=false",
      "--conf", "spark.sql.shuffle.partitions=4",
      "--conf", "diffusionbatch.progressIntervalSeconds=5");

  /** The repository's tiny model (tests run from the repository root). */
  static final String TINY_SD = java.nio.file.Path.of("models", "tiny-sd").toAbsolutePath().toString();

  /** Runs with the real model loader, as {@code ./diffusion-batch generate} does. */
  /** Writes {@code count} prompts "PREFIX i", one a line, to {@code dir/prompts.txt}. */
  static java.nio.file.Path promptFile(java.nio.file.Path dir, String prefix, int count) throws java.io.IOException {
    java.util.List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      lines.add(prefix + " " + i);
    }
    return java.nio.file.Files.write(dir.resolve("prompts.txt"), lines);
  }

  /** The options a command line gives, checked for form (no Spark, no model). */
  static GenerateOptions options(String... args) {
    GenerateCommand command = new GenerateCommand();
    new CommandLine(command).parseArgs(args);
    return command.toOptions(Arrays.asList(args));
  }

  static int generate(String... args) {
    return generate(null, args);
  }

  /** Runs with the given model loader; null for the real one. */
  static int generate(ImageMakerFactory factory, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(QUIET);
    GenerateCommand command = new GenerateCommand();
    CommandLine commandLine = new CommandLine(command);
    try {
      commandLine.parseArgs(all.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      System.err.println(e.getMessage());
      return GenerateCommand.EXIT_BAD_ARGUMENTS;
    }
    GenerateOptions options;
    try {
      options = command.toOptions(all);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return GenerateCommand.EXIT_BAD_ARGUMENTS;
    }
    return factory == null ? GenerateJob.run(options) : new GenerateRun(options, factory).execute();
  }
}
