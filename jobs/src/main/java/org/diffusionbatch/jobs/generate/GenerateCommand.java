package org.diffusionbatch.jobs.generate;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** The generate job: prompts to images and Parquet. (Being built: see issue 4.) */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Generate images for a table of prompts on Spark.")
public final class GenerateCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("generate is not built yet");
    return 2;
  }
}
