package org.diffusionbatch.jobs.evaluate;

import picocli.CommandLine;

/** The spark-submit entry point: {@code spark-submit --class org.diffusionbatch.jobs.evaluate.EvaluateJob <jobs-jar> ...}. */
public final class EvaluateJob {
  private EvaluateJob() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new EvaluateCommand(true)).execute(args));
  }

  /** Runs the job; returns the exit code. */
  static int run(EvaluateOptions options) {
    return new EvaluateRun(options).execute();
  }
}
