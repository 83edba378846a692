package org.diffusionbatch.bench.sim;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prompt files for the benchmarks: distinct prompts of the length and vocabulary people write for
 * Stable Diffusion (subject, setting, style, quality words; 20-40 CLIP tokens), so tokenizing costs
 * what it costs in real runs.
 */
public final class BenchPrompts {
  private static final String[] SUBJECTS = {
    "a red fox", "an old lighthouse", "a bowl of ramen", "a vintage motorcycle", "a snow leopard", "a glass teapot",
    "a medieval castle", "an astronaut", "a field of sunflowers", "a sailing ship", "a steam locomotive", "a hummingbird",
    "a cozy reading nook", "a koi pond", "a desert canyon", "a neon street market"};
  private static final String[] SETTINGS = {
    "at golden hour", "in heavy rain", "under a starry sky", "in morning fog", "on a misty mountain", "in a busy city",
    "by the sea", "in an autumn forest", "inside a greenhouse", "at dusk"};
  private static final String[] STYLES = {
    "photograph, 35mm, shallow depth of field", "oil painting, impasto", "watercolor illustration",
    "cinematic lighting, volumetric fog", "studio photo, softbox lighting", "digital art, trending on artstation",
    "isometric 3d render", "ukiyo-e woodblock print"};
  private static final String[] QUALITY = {
    "highly detailed, sharp focus, 8k", "award winning, intricate details", "soft colors, film grain",
    "high dynamic range, crisp", "masterpiece, best quality"};

  private BenchPrompts() {}

  /** Prompt {@code i} (distinct for every i). */
  public static String prompt(long i) {
    return SUBJECTS[(int) (i % SUBJECTS.length)] + " " + SETTINGS[(int) ((i / SUBJECTS.length) % SETTINGS.length)] + ", "
        + STYLES[(int) ((i / 160) % STYLES.length)] + ", " + QUALITY[(int) ((i / 1280) % QUALITY.length)] + ", variation " + i;
  }

  /** Writes prompts 0..count-1, one a line (the text format: prompt_ids from file and line). */
  public static Path writeText(Path file, long count) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      for (long i = 0; i < count; i++) {
        out.write(prompt(i));
        out.write('\n');
      }
    }
    return file;
  }
}
