package org.diffusionbatch.jobs.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** One prompt to one PNG on this machine, no Spark. (Being built: see issue 3.) */
@Command(name = "txt2img", mixinStandardHelpOptions = true, description = "Make one image from a prompt on this machine.")
public final class Txt2ImgCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("txt2img is not built yet");
    return 2;
  }
}
