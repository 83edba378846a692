package org.diffusionbatch.jobs.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.jobs.model.ImageMaker;
import org.diffusionbatch.jobs.model.ImageMakerFactory;
import picocli.CommandLine;

/**
 * {@code generate} as the command line runs it, with the real model slowed down so a test can act
 * while the run is in the middle of a commit: each batch waits {@code diffusionbatch.test.batchMillis}
 * (system property), or with {@code diffusionbatch.test.holdWhile=<file>} as long as that file exists,
 * and the first batch of the run creates {@code <diffusionbatch.test.markers>/started}.
 */
public final class SlowGenerateMain {
  private SlowGenerateMain() {}

  public static void main(String[] args) {
    GenerateCommand command = new GenerateCommand();
    new CommandLine(command).parseArgs(args);
    GenerateOptions options = command.toOptions(Arrays.asList(args));
    long millis = Long.getLong("diffusionbatch.test.batchMillis", 1000);
    String markers = System.getProperty("diffusionbatch.test.markers");
    String holdWhile = System.getProperty("diffusionbatch.test.holdWhile");
    System.exit(new GenerateRun(options, new Slow(GenerateJob.pipelineFactory(options), millis, markers, holdWhile)).execute());
  }

  /** The real factory's models, each batch delayed. */
  record Slow(ImageMakerFactory real, long millis, String markers, String holdWhile) implements ImageMakerFactory {
    @Override
    public String key(Integer gpu) {
      return "slow|" + real.key(gpu);
    }

    @Override
    public ImageMaker load(Integer gpu) {
      return new DelegatingImageMaker(real.load(gpu)) {
        @Override
        public List<GenerationResult> generate(GenerationSettings settings, List<GenerationRequest> requests) {
          try {
            if (markers != null) {
              Files.createDirectories(Path.of(markers));
              if (!Files.exists(Path.of(markers, "started"))) {
                Files.writeString(Path.of(markers, "started"), "");
              }
            }
            Thread.sleep(millis);
            while (holdWhile != null && Files.exists(Path.of(holdWhile))) {
              Thread.sleep(100);
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
          }
          return model.generate(settings, requests);
        }
      };
    }
  }
}
