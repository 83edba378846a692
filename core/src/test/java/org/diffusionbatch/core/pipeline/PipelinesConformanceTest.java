package org.diffusionbatch.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.diffusionbatch.core.model.ModelOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline against the images diffusers' own pipelines made from the same real-architecture
 * weights: every case of {@code ../shared/reference/pipelines/} and of a folder of the same format
 * named by {@code -Dconformance.pipelines=DIR} (its own {@code cases/} and {@code models/}). Each case
 * is made through the project's pipeline exactly as a user would ({@code sampler: null} = the model's
 * default) and compared value by value with the expected PNG: at most 2 levels of 255 apart, on at
 * most 1% of the values (ONNX Runtime and torch round differently). A failed case is explained stage
 * by stage from its trace .npz.
 */
class PipelinesConformanceTest {
  private static final String PROPERTY = "conformance.pipelines";
  private static final int MAX_LEVELS = 2;
  private static final double MAX_DIFFERING = 0.01;

  @TempDir
  Path temp;

  @Test
  void everyCaseMatchesDiffusersWithin2LevelsOnAtMost1PercentOfValues() throws Exception {
    List<PipelineCase> cases = new ArrayList<>();
    Path shared = Paths.get(System.getProperty("repo.root", "."), "..", "shared", "reference", "pipelines").normalize();
    if (Files.isDirectory(shared.resolve("cases"))) {
      cases.addAll(PipelineCase.readAll(shared));
    } else {
      System.out.println("pipelines conformance: " + shared + " absent; only -D" + PROPERTY + " cases run");
    }
    String extra = System.getProperty(PROPERTY);
    if (extra != null && !extra.isBlank()) {
      List<PipelineCase> more = PipelineCase.readAll(Paths.get(extra));
      assertFalse(more.isEmpty(), "-D" + PROPERTY + "=" + extra + " holds no cases/*.json");
      cases.addAll(more);
    }
    assumeFalse(cases.isEmpty(), "no pipeline reference cases: " + shared + " is absent and -D" + PROPERTY + " not given");

    Map<Path, TextToImagePipeline> pipelines = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    try {
      for (PipelineCase c : cases) {
        try {
          Path dir = c.preparedModel(temp);
          TextToImagePipeline pipeline = pipelines.computeIfAbsent(dir,
              d -> TextToImagePipeline.load(ModelOptions.local(d).withThreads(2, 1)));
          String outcome = run(pipeline, c);
          if (outcome != null) {
            failures.add(c + ": " + outcome);
          }
        } catch (RuntimeException | IOException e) {
          System.out.printf("  %-5s FAILED: %s%n", c.id(), e);
          failures.add(c + ": " + e);
        }
      }
    } finally {
      pipelines.values().forEach(TextToImagePipeline::close);
    }
    System.out.println("pipelines conformance: " + cases.size() + " cases");
    if (!failures.isEmpty()) {
      throw new AssertionError(failures.size() + " of " + cases.size() + " pipeline cases differ from diffusers:\n  "
          + String.join("\n  ", failures));
    }
  }

  /** Makes the case's image and compares it; null when it passes, else what was wrong. */
  private static String run(TextToImagePipeline pipeline, PipelineCase c) throws IOException {
    GenerationSettings s = pipeline.withDefaults(c.settings());
    GenerationResult result = pipeline.generate(s, List.of(c.request()), false).get(0);
    if (!result.ok()) {
      System.out.printf("  %-5s FAILED: %s: %s%n", c.id(), result.failedStage(), result.error());
      return result.failedStage() + " failed: " + result.error();
    }
    BufferedImage expected = ImageIO.read(c.expected().toFile());
    GeneratedImage image = result.image();
    if (expected.getWidth() != image.width() || expected.getHeight() != image.height()) {
      return "made " + image.width() + "x" + image.height() + ", expected " + expected.getWidth() + "x" + expected.getHeight();
    }
    int maxDiff = 0;
    long differing = 0;
    byte[] rgb = image.rgb();
    for (int y = 0; y < image.height(); y++) {
      for (int x = 0; x < image.width(); x++) {
        int e = expected.getRGB(x, y);
        int at = (y * image.width() + x) * 3;
        for (int ch = 0; ch < 3; ch++) {
          int want = (e >> (16 - 8 * ch)) & 0xff;
          int d = Math.abs((rgb[at + ch] & 0xff) - want);
          maxDiff = Math.max(maxDiff, d);
          differing += d > 0 ? 1 : 0;
        }
      }
    }
    double fraction = differing / (3.0 * image.width() * image.height());
    boolean ok = maxDiff <= MAX_LEVELS && fraction <= MAX_DIFFERING;
    System.out.printf("  %-5s %-20s %-16s %2d steps, guidance %-4s %dx%d: max diff %d, %.3f%% of values differ%s%n",
        c.id(), c.model(), s.sampler(), s.steps(), s.guidanceScale(), s.width(), s.height(), maxDiff, 100 * fraction,
        ok ? "" : "  FAILED");
    if (ok) {
      return null;
    }
    String where = c.trace() != null && Files.isRegularFile(c.trace())
        ? "\n      " + TraceComparison.describe(pipeline, c, s) : " (no trace to say where it departs)";
    System.out.println("      " + where.strip());
    return String.format("max diff %d levels, %.3f%% of values differ (allowed %d levels, %.0f%%)%s", maxDiff,
        100 * fraction, MAX_LEVELS, 100 * MAX_DIFFERING, where);
  }
}
