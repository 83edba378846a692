package org.diffusionbatch.jobs.sweep;

import picocli.CommandLine;

/** The spark-submit entry point: {@code spark-submit --class org.diffusionbatch.jobs.sweep.SweepJob <jobs-jar> ...}. */
public final class SweepJob {
  private SweepJob() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new SweepCommand(true)).execute(args));
  }

  /** Runs the sweep; returns the exit code. */
  public static int run(SweepOptions options) {
    return new SweepRun(options, ModelLoaders.REAL).execute();
  }
}
