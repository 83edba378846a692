package org.diffusionbatch.jobs.generate;

import org.diffusionbatch.jobs.model.PipelineImageMakerFactory;
import picocli.CommandLine;

/** The spark-submit entry point: {@code spark-submit --class org.diffusionbatch.jobs.generate.GenerateJob <jobs-jar> ...}. */
public final class GenerateJob {
  private GenerateJob() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new GenerateCommand(true)).execute(args));
  }

  /** Runs the job; returns the exit code. */
  public static int run(GenerateOptions options) {
    return new GenerateRun(options, pipelineFactory(options)).execute();
  }

  /** Core's pipeline for the run's model and runtime settings. */
  static PipelineImageMakerFactory pipelineFactory(GenerateOptions options) {
    return new PipelineImageMakerFactory(options.model(), options.intraOpThreads(), options.interOpThreads(), options.ortOptLevel(),
        options.modelCache(), options.s3());
  }
}
