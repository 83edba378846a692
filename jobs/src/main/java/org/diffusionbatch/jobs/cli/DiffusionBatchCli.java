package org.diffusionbatch.jobs.cli;

import org.diffusionbatch.jobs.generate.GenerateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./diffusion-batch} command line: one subcommand per job. */
@Command(
    name = "diffusion-batch",
    mixinStandardHelpOptions = true,
    version = "diffusion-batch 0.1.0",
    description = "Text prompts to images with latent-diffusion models, on one machine or on Spark.",
    subcommands = {Txt2ImgCommand.class, GenerateCommand.class, CommandLine.HelpCommand.class})
public final class DiffusionBatchCli {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, also used by tests that feed it arguments. */
  public static CommandLine commandLine() {
    return new CommandLine(new DiffusionBatchCli());
  }
}
