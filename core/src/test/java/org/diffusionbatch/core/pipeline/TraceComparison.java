package org.diffusionbatch.core.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffusionbatch.core.model.ModelInfo;
import org.diffusionbatch.core.model.UNetConditioning;
import org.diffusionbatch.core.rng.SeededNoise;
import org.diffusionbatch.core.sampler.LatentShape;
import org.diffusionbatch.core.sampler.SamplerRun;
import org.diffusionbatch.core.tokenizer.ClipTokenizer;

/**
 * Where a pipeline case departs from diffusers: each stage of the project's pipeline (token ids,
 * text conditioning, initial latents, latents after every step) against the case's trace .npz,
 * the first stage off by more than float32 noise named. Run only to explain a failed case.
 */
final class TraceComparison {
  private static final double TOLERANCE = 1e-3;

  private TraceComparison() {}

  static String describe(TextToImagePipeline pipeline, PipelineCase c, GenerationSettings s) throws IOException {
    Map<String, NpzArchive.Array> trace = NpzArchive.read(c.trace());
    List<String> lines = new ArrayList<>();
    ModelInfo info = pipeline.modelInfo();
    ids(lines, "input_ids", ClipTokenizer.fromDirectory(info.tokenizerDir()), c.prompt(), trace);
    if (info.isXl()) {
      ids(lines, "input_ids_2", ClipTokenizer.fromDirectory(info.xl().tokenizer2Dir()), c.prompt(), trace);
    }
    boolean guided = pipeline.guided(s);
    UNetConditioning cond = pipeline.conditioning(s, List.of(c.request()));
    float[] tokens = cond.encoderHiddenStates();
    int row = tokens.length / (guided ? 2 : 1);
    compare(lines, "prompt_embeds", slice(tokens, guided ? row : 0, row), trace.get("prompt_embeds"));
    if (guided) {
      compare(lines, "negative_prompt_embeds", slice(tokens, 0, row), trace.get("negative_prompt_embeds"));
    }
    if (cond.textEmbeds() != null) {
      int p = cond.textEmbeds().length / (guided ? 2 : 1);
      compare(lines, "pooled_prompt_embeds", slice(cond.textEmbeds(), guided ? p : 0, p), trace.get("pooled_prompt_embeds"));
      compare(lines, "add_time_ids", slice(cond.timeIds(), guided ? 6 : 0, 6), trace.get("add_time_ids"));
      if (guided) {
        compare(lines, "negative_pooled_prompt_embeds", slice(cond.textEmbeds(), 0, p),
            trace.get("negative_pooled_prompt_embeds"));
        compare(lines, "negative_add_time_ids", slice(cond.timeIds(), 0, 6), trace.get("negative_add_time_ids"));
      }
    }
    if (cond.timestepCond() != null) {
      compare(lines, "timestep_cond", cond.timestepCond(), trace.get("timestep_cond"));
    }

    SamplerRun run = pipeline.plan(s, 1);
    NpzArchive.Array timesteps = trace.get("timesteps");
    lines.add("timesteps: ours " + java.util.Arrays.toString(run.timesteps()) + ", diffusers "
        + (timesteps == null ? "?" : java.util.Arrays.toString(timesteps.values())));
    SeededNoise noise = new SeededNoise(new long[] {c.seed()});
    float[] x = org.diffusionbatch.core.sampler.Sampling.initialLatents(run, noise);
    compare(lines, "init_latents", x, trace.get("init_latents"));
    NpzArchive.Array steps = trace.get("step_latents");
    GuidedDenoiser denoiser = new GuidedDenoiser(pipeline.model().unet(), run.shape(), cond, guided, s.guidanceScale(),
        s.guidanceRescale());
    LatentShape shape = run.shape();
    float[] input = new float[shape.size()];
    float[] output = new float[shape.size()];
    for (int k = 0; k < run.steps(); k++) {
      run.scaleModelInput(x, k, input);
      denoiser.predict(input, k, run.timestep(k), output);
      run.step(k, output, x, noise);
      if (steps != null && k < steps.shape()[0]) {
        double diff = maxAbsDiff(x, steps.values(), k * shape.size());
        lines.add(String.format("step %d (t=%s) latents max abs diff %.3g%s", k, run.timestep(k), diff,
            diff > TOLERANCE ? "  <-- departs" : ""));
      }
    }
    return String.join("\n      ", lines);
  }

  private static void ids(List<String> lines, String name, ClipTokenizer tokenizer, String prompt,
      Map<String, NpzArchive.Array> trace) {
    NpzArchive.Array expected = trace.get(name);
    if (expected == null) {
      return;
    }
    int[] ours = tokenizer.encode(prompt).ids();
    lines.add(name + (java.util.Arrays.equals(ours, expected.ints()) ? " equal"
        : " DIFFER: ours " + java.util.Arrays.toString(ours) + " diffusers " + java.util.Arrays.toString(expected.ints())));
  }

  private static void compare(List<String> lines, String name, float[] ours, NpzArchive.Array expected) {
    if (expected == null) {
      lines.add(name + ": not in the trace");
      return;
    }
    if (expected.size() != ours.length) {
      lines.add(name + ": ours has " + ours.length + " values, diffusers " + expected);
      return;
    }
    double diff = maxAbsDiff(ours, expected.values(), 0);
    lines.add(String.format("%s max abs diff %.3g%s", name, diff, diff > TOLERANCE ? "  <-- departs" : ""));
  }

  private static float[] slice(float[] a, int from, int length) {
    float[] out = new float[length];
    System.arraycopy(a, from, out, 0, length);
    return out;
  }

  private static double maxAbsDiff(float[] ours, double[] theirs, int offset) {
    double max = 0;
    for (int i = 0; i < ours.length; i++) {
      max = Math.max(max, Math.abs(ours[i] - theirs[offset + i]));
    }
    return max;
  }
}
