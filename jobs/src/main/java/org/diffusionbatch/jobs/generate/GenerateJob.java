package org.diffusionbatch.jobs.generate;

import picocli.CommandLine;

/** The spark-submit entry point: {@code spark-submit --class org.diffusionbatch.jobs.generate.GenerateJob <jobs-jar> ...}. */
public final class GenerateJob {
  private GenerateJob() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new GenerateCommand(true)).execute(args));
  }

  /** Runs the job; returns the exit code. */
  public static int run(GenerateOptions options) {
    return new GenerateRun(options, new PipelineImageMakerFactory(options)).execute();
  }
}
