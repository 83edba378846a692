package org.diffusionbatch.core.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.diffusionbatch.core.rng.TorchGenerator;

/**
 * A Gaussian mixture in a diffusion model's latent space, {@code x0 ~ sum_k w_k N(mu_k, s^2 I)}:
 * the data distribution the bundled tiny models' UNets denoise toward, read from
 * {@code mixture.json} (weights, s, latent shape, VAE scaling factor) and the {@code .npy} of the
 * means it names. Exact samples of it, decoded by the model's VAE, are the reference set that FID
 * on the bundled models is measured against.
 *
 * <p>Sample {@code seed}: the component is the first k whose cumulative weight exceeds
 * {@code new SplittableRandom(seed).nextDouble()}, and {@code x0 = mu_k + s * z} with
 * {@code z = torch.randn(C, H, W, generator=torch.Generator().manual_seed(seed))}.
 */
public record LatentMixture(List<String> names, double[] weights, float[][] means, double componentStd, int channels,
    int height, int width, double scalingFactor) {

  public static final String FILE_NAME = "mixture.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One exact sample: its component and its latent (before the VAE scaling factor is divided out). */
  public record Sample(int component, float[] latent) {}

  /** Reads {@code dir/mixture.json} and the means it names. */
  public static LatentMixture read(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(dir + " has no " + FILE_NAME + "; give the folder of a mixture description,"
          + " e.g. models/tiny-reference");
    }
    try {
      JsonNode json = JSON.readTree(file.toFile());
      JsonNode shape = json.get("latent_shape");
      int c = shape.get(0).asInt();
      int h = shape.get(1).asInt();
      int w = shape.get(2).asInt();
      List<String> names = new ArrayList<>();
      List<Double> weights = new ArrayList<>();
      for (JsonNode component : json.get("components")) {
        names.add(component.get("name").asText());
        weights.add(component.get("weight").asDouble());
      }
      NpyArray means = Npy.read(dir.resolve(json.get("means").asText()));
      if (means.rank() != 2 || means.rows() != names.size() || means.columns() != c * h * w) {
        throw new IllegalArgumentException("means " + java.util.Arrays.toString(means.shape()) + " do not match "
            + names.size() + " components of " + c + "x" + h + "x" + w);
      }
      float[] flat = means.toFloats();
      float[][] mu = new float[names.size()][];
      for (int k = 0; k < mu.length; k++) {
        mu[k] = java.util.Arrays.copyOfRange(flat, k * c * h * w, (k + 1) * c * h * w);
      }
      double[] w8 = weights.stream().mapToDouble(Double::doubleValue).toArray();
      double total = java.util.Arrays.stream(w8).sum();
      if (Math.abs(total - 1) > 1e-9) {
        throw new IllegalArgumentException("component weights sum to " + total + ", not 1");
      }
      return new LatentMixture(List.copyOf(names), w8, mu, json.get("component_std").asDouble(), c, h, w,
          json.get("scaling_factor").asDouble());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read the mixture in " + file + ": " + e.getMessage(), e);
    }
  }

  /** The exact sample for {@code seed} (see the class comment). */
  public Sample sample(long seed) {
    double u = new SplittableRandom(seed).nextDouble();
    int k = 0;
    double cumulative = weights[0];
    while (u >= cumulative && k < weights.length - 1) {
      cumulative += weights[++k];
    }
    float[] z = new TorchGenerator(seed).randn(channels, height, width);
    float[] x = new float[z.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (means[k][i] + componentStd * z[i]);
    }
    return new Sample(k, x);
  }
}
