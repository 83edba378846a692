package org.diffusionbatch.jobs.deploy;

import java.util.ArrayList;
import java.util.List;
import org.diffusionbatch.jobs.cli.DiffusionBatchCli;

/** Feeds job arguments written in deploy/ files to the job's own command-line parser. */
final class GenerateArguments {
  /** The date the run-date entrypoint and Airflow put in for their placeholders. */
  static final String RUN_DATE = "2026-11-27";

  private GenerateArguments() {}

  /**
   * Parses (does not run) {@code generate ARGS} with the placeholders filled in as at run time;
   * throws picocli's ParameterException naming an unknown or malformed option.
   */
  static void parse(List<String> arguments) {
    List<String> argv = new ArrayList<>();
    argv.add("generate");
    for (String argument : arguments) {
      argv.add(argument.replace("{run_date}", RUN_DATE).replace("{{ ds }}", RUN_DATE));
    }
    DiffusionBatchCli.commandLine().parseArgs(argv.toArray(String[]::new));
  }
}
