package org.diffusionbatch.jobs.cli;

import org.diffusionbatch.jobs.generate.GenerateCommand;
import org.diffusionbatch.core.model.ModelException;
import org.diffusionbatch.core.storage.StorageException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./diffusion-batch} command line: one subcommand per job. */
@Command(
    name = "diffusion-batch",
    mixinStandardHelpOptions = true,
    version = "diffusion-batch 0.1.0",
    description = "Text prompts to images with latent-diffusion models, on one machine or on Spark.",
    subcommands = {Txt2ImgCommand.class, GenerateCommand.class, QuantizeCommand.class, CommandLine.HelpCommand.class})
public final class DiffusionBatchCli {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, also used by tests that feed it arguments. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new DiffusionBatchCli());
    cli.setExecutionExceptionHandler(DiffusionBatchCli::reportError);
    return cli;
  }

  /**
   * Bad input is the user's to fix (a bad setting, a model that is missing or broken, storage
   * that refuses access): one line naming the problem and exit code 2, no stack trace. Anything
   * else is ours: the stack trace and exit code 1.
   */
  private static int reportError(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    if (e instanceof IllegalArgumentException || e instanceof ModelException || e instanceof StorageException) {
      cli.getErr().println(cli.getCommandName() + ": " + e.getMessage());
      return 2;
    }
    cli.getErr().println(cli.getCommandName() + ": failed: " + e);
    e.printStackTrace(cli.getErr());
    return 1;
  }
}
