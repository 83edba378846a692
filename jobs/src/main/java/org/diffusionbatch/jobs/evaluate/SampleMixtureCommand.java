package org.diffusionbatch.jobs.evaluate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.diffusionbatch.core.image.PngEncoder;
import org.diffusionbatch.core.image.VaeImageConversion;
import org.diffusionbatch.core.metrics.LatentMixture;
import org.diffusionbatch.core.model.DiffusionModel;
import org.diffusionbatch.core.model.ModelException;
import org.diffusionbatch.core.model.ModelInfo;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.sampler.LatentShape;
import org.diffusionbatch.jobs.cli.BundledModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sample-mixture}: exact samples of a latent Gaussian mixture (the bundled tiny models'
 * data distribution, {@code models/tiny-reference}) decoded to PNG files by a model's VAE decoder
 * exactly as generate decodes its latents: the reference set for FID on the bundled models. No
 * Spark: a folder of PNG files (and {@code samples.csv}: index, seed, component), written whole or
 * not at all.
 */
@Command(
    name = "sample-mixture",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Exact samples of a bundled tiny model's data distribution (its latent Gaussian mixture), decoded by"
        + " its VAE into a folder of PNG files: the reference set for FID on the bundled models.")
public final class SampleMixtureCommand implements Callable<Integer> {
  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder to write (a local path).")
  Path output;

  @Option(names = "--count", required = true, paramLabel = "N", description = "How many samples.")
  int count;

  @Option(names = "--seed", paramLabel = "BASE", defaultValue = "0", description = "Sample i uses seed BASE + i (default 0).")
  long seed;

  @Option(names = "--mixture", paramLabel = "DIR", description = "Folder with mixture.json (default: the bundled models/tiny-reference).")
  Path mixture;

  @Option(names = "--model", paramLabel = "DIR", description = "Model whose vae_decoder decodes the samples (default: the bundled models/tiny-sd).")
  String model;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64", description = "Latents per decoder call (default 64).")
  int batchSize;

  @Option(names = "--overwrite", description = "Replace --output when it exists.")
  boolean overwrite;

  @Override
  public Integer call() {
    if (count < 1 || batchSize < 1) {
      System.err.println("sample-mixture: --count and --batch-size must be at least 1");
      return EvaluateCommand.EXIT_BAD_ARGUMENTS;
    }
    if (Files.exists(output) && !overwrite) {
      System.err.println("sample-mixture: " + output + " already exists; give --overwrite to replace it");
      return EvaluateCommand.EXIT_BAD_ARGUMENTS;
    }
    Path mixtureDir = mixture != null ? mixture : BundledModel.path().resolveSibling("tiny-reference");
    LatentMixture mix;
    try {
      mix = LatentMixture.read(mixtureDir);
    } catch (IllegalArgumentException e) {
      System.err.println("sample-mixture: " + e.getMessage());
      return EvaluateCommand.EXIT_BAD_ARGUMENTS;
    }
    long start = System.nanoTime();
    Path staging = output.toAbsolutePath().resolveSibling("." + output.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try (DiffusionModel decoder = DiffusionModel.load(ModelOptions.of(model != null ? model : BundledModel.defaultUri()))) {
      ModelInfo info = decoder.info();
      if (Math.abs(info.vaeScalingFactor() - mix.scalingFactor()) > 1e-9) {
        System.err.println("sample-mixture: the model's VAE scaling factor " + info.vaeScalingFactor()
            + " is not the mixture's " + mix.scalingFactor() + "; decode with the model the mixture belongs to");
        return EvaluateCommand.EXIT_BAD_ARGUMENTS;
      }
      Files.createDirectories(staging);
      List<String> index = new ArrayList<>(List.of("index,seed,component"));
      int[] perComponent = new int[mix.names().size()];
      PngEncoder png = new PngEncoder();
      float scale = (float) (1.0 / info.vaeScalingFactor()); // as the pipeline scales latents for the VAE
      for (int first = 0; first < count; first += batchSize) {
        int n = Math.min(batchSize, count - first);
        LatentShape shape = new LatentShape(n, mix.channels(), mix.height(), mix.width());
        float[] latents = new float[shape.size()];
        int[] components = new int[n];
        for (int i = 0; i < n; i++) {
          LatentMixture.Sample s = mix.sample(seed + first + i);
          components[i] = s.component();
          for (int j = 0; j < s.latent().length; j++) {
            latents[i * shape.rowSize() + j] = s.latent()[j] * scale;
          }
        }
        float[] decoded = decoder.vaeDecoder().decode(latents, shape);
        int h = mix.height() * info.vaeScaleFactor();
        int w = mix.width() * info.vaeScaleFactor();
        for (int i = 0; i < n; i++) {
          int k = components[i];
          perComponent[k]++;
          String name = String.format("%06d-%s.png", first + i, mix.names().get(k).replace(' ', '-'));
          Files.write(staging.resolve(name), png.encode(VaeImageConversion.toRgb(decoded, i, h, w), w, h));
          index.add((first + i) + "," + (seed + first + i) + "," + mix.names().get(k));
        }
      }
      Files.write(staging.resolve("samples.csv"), index, StandardCharsets.UTF_8);
      if (Files.exists(output)) {
        deleteTree(output);
      }
      Files.move(staging, output);
      System.out.printf("sample-mixture: %d exact samples (seeds %d..%d) of %s decoded by %s into %s in %.1f s%n", count, seed,
          seed + count - 1, mixtureDir, info.uri(), output, (System.nanoTime() - start) / 1e9);
      StringBuilder split = new StringBuilder("  per component:");
      for (int k = 0; k < perComponent.length; k++) {
        split.append(' ').append(mix.names().get(k)).append(' ').append(perComponent[k]).append(k + 1 < perComponent.length ? "," : "");
      }
      System.out.println(split);
      return EvaluateCommand.EXIT_OK;
    } catch (ModelException | IllegalArgumentException e) {
      System.err.println("sample-mixture: " + e.getMessage());
      return EvaluateCommand.EXIT_BAD_ARGUMENTS;
    } catch (IOException e) {
      System.err.println("sample-mixture: cannot write " + output + ": " + e.getMessage());
      return EvaluateCommand.EXIT_FAILED;
    } finally {
      if (Files.exists(staging)) {
        deleteTree(staging);
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }
}
