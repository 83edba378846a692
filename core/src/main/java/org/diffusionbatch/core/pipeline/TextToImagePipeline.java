package org.diffusionbatch.core.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.diffusionbatch.core.image.PngEncoder;
import org.diffusionbatch.core.image.VaeImageConversion;
import org.diffusionbatch.core.model.DiffusionModel;
import org.diffusionbatch.core.model.ModelInfo;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.rng.SeededNoise;
import org.diffusionbatch.core.sampler.GuidanceEmbedding;
import org.diffusionbatch.core.sampler.LatentShape;
import org.diffusionbatch.core.sampler.NonFiniteOutputException;
import org.diffusionbatch.core.sampler.Sampler;
import org.diffusionbatch.core.sampler.SamplerRun;
import org.diffusionbatch.core.sampler.Samplers;
import org.diffusionbatch.core.sampler.Sampling;
import org.diffusionbatch.core.sampler.SchedulerConfig;
import org.diffusionbatch.core.tokenizer.ClipTokenizer;

/**
 * Text to image, diffusers' StableDiffusionPipeline and LatentConsistencyModelPipeline in Java:
 * a batch of requests sharing sampler, steps, guidance and size becomes images. Each row's seed
 * alone fixes its initial latents, so a row gives the same image in any batch.
 *
 * <p>Safe to share between threads: each call keeps its own state.
 */
public final class TextToImagePipeline implements AutoCloseable {
  /** CLIP's context length; every SD 1.x/2.x text encoder takes 77 tokens. */
  static final int SEQUENCE_LENGTH = 77;

  private static final PngEncoder PNG = new PngEncoder();

  private final DiffusionModel model;
  private final ModelInfo info;
  private final SchedulerConfig schedulerConfig;
  private final PromptEncoder promptEncoder;

  public TextToImagePipeline(DiffusionModel model) {
    this.model = model;
    this.info = model.info();
    this.schedulerConfig = SchedulerConfig.read(info.schedulerConfig());
    ClipTokenizer tokenizer = ClipTokenizer.fromDirectory(info.tokenizerDir());
    this.promptEncoder = new PromptEncoder(tokenizer, model.textEncoder(), SEQUENCE_LENGTH, info.hiddenSize());
  }

  /** Loads the model the options name (local folder or s3://) and builds a pipeline that owns it. */
  public static TextToImagePipeline load(ModelOptions options) {
    DiffusionModel model = DiffusionModel.load(options);
    try {
      return new TextToImagePipeline(model);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  public ModelInfo modelInfo() {
    return info;
  }

  /**
   * The settings diffusers' pipelines default to for this model, at the UNet's native size: the
   * model's own scheduler as diffusers' from_config builds it, named so that the name gives it back
   * ({@link Samplers#modelDefault}; dpmpp-2m when the class is not implemented, e.g. the PNDM of SD
   * 1.x/2.x); for Stable Diffusion 20 steps with guidance 7.5, for LCM 4 steps with guidance 8.5.
   */
  public GenerationSettings defaults() {
    int latentHeight = info.fixedLatentHeight() != null ? info.fixedLatentHeight() : info.sampleSize();
    int latentWidth = info.fixedLatentWidth() != null ? info.fixedLatentWidth() : info.sampleSize();
    String sampler = Samplers.modelDefault(schedulerConfig);
    if (info.isLcm()) {
      return new GenerationSettings(sampler, 4, 8.5, 0.0, latentWidth * 8, latentHeight * 8, null);
    }
    return new GenerationSettings(sampler, 20, 7.5, 0.0, latentWidth * 8, latentHeight * 8, null);
  }

  /** Fills the settings' unset fields (null sampler, non-positive sizes or steps) from {@link #defaults()}. */
  public GenerationSettings withDefaults(GenerationSettings s) {
    GenerationSettings d = defaults();
    return new GenerationSettings(
        s.sampler() == null || s.sampler().isBlank() ? d.sampler() : s.sampler(),
        s.steps() > 0 ? s.steps() : d.steps(),
        Double.isNaN(s.guidanceScale()) ? d.guidanceScale() : s.guidanceScale(),
        s.guidanceRescale(),
        s.width() > 0 ? s.width() : d.width(),
        s.height() > 0 ? s.height() : d.height(),
        s.samplerOverrides());
  }

  /**
   * Checks settings before any work: throws IllegalArgumentException naming the setting, its
   * value and what is accepted.
   */
  public void validate(GenerationSettings s) {
    requireSize("width", s.width(), info.fixedLatentWidth());
    requireSize("height", s.height(), info.fixedLatentHeight());
    if (!Double.isFinite(s.guidanceScale())) {
      throw new IllegalArgumentException("guidance scale must be a finite number, got " + s.guidanceScale());
    }
    if (!(s.guidanceRescale() >= 0 && s.guidanceRescale() <= 1)) {
      throw new IllegalArgumentException("guidance rescale must be between 0 and 1, got " + s.guidanceRescale());
    }
    if (s.steps() < 1) {
      throw new IllegalArgumentException("steps must be at least 1, got " + s.steps());
    }
    // Planning checks the sampler name, its overrides and the step count against the schedule.
    sampler(s).plan(s.steps(), latentShape(s, 1));
  }

  private static void requireSize(String name, int pixels, Integer fixedLatent) {
    if (pixels <= 0 || pixels % 8 != 0) {
      throw new IllegalArgumentException(
          name + " must be a positive multiple of 8 (the VAE works on 8x8 pixel blocks), got " + pixels);
    }
    if (fixedLatent != null && pixels / 8 != fixedLatent) {
      throw new IllegalArgumentException(
          name + " " + pixels + " is not what this model's UNet graph accepts: it was exported for "
              + (fixedLatent * 8) + " pixels (latent " + fixedLatent + "); use --" + name + " " + (fixedLatent * 8)
              + " or export the model with dynamic spatial axes");
    }
  }

  /**
   * Makes one image per request, in order. Rows whose model output turns non-finite fail alone
   * (stage "denoise"); the other rows of the batch are made again without them, which gives the
   * same images since rows are independent.
   */
  public List<GenerationResult> generate(GenerationSettings settings, List<GenerationRequest> rows, boolean encodePng) {
    validate(settings);
    List<GenerationResult> results = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      results.add(null);
    }
    List<Integer> pending = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      GenerationRequest request = rows.get(i);
      if (request.prompt() == null) {
        results.set(i, GenerationResult.failure(request, "text", "prompt is null"));
      } else {
        pending.add(i);
      }
    }
    while (!pending.isEmpty()) {
      List<GenerationRequest> batch = new ArrayList<>(pending.size());
      for (int i : pending) {
        batch.add(rows.get(i));
      }
      try {
        List<GenerationResult> made = generateBatch(settings, batch, encodePng);
        for (int k = 0; k < pending.size(); k++) {
          results.set(pending.get(k), made.get(k));
        }
        pending.clear();
      } catch (NonFiniteOutputException e) {
        Set<Integer> bad = new HashSet<>();
        for (int row : e.rows()) {
          bad.add(row);
        }
        if (bad.isEmpty()) {
          bad.addAll(java.util.stream.IntStream.range(0, pending.size()).boxed().toList());
        }
        List<Integer> next = new ArrayList<>();
        for (int k = 0; k < pending.size(); k++) {
          int index = pending.get(k);
          if (bad.contains(k)) {
            results.set(index, GenerationResult.failure(rows.get(index), "denoise", e.getMessage()));
          } else {
            next.add(index);
          }
        }
        pending = next;
      }
    }
    return results;
  }

  private List<GenerationResult> generateBatch(GenerationSettings s, List<GenerationRequest> batch, boolean encodePng) {
    LatentShape shape = latentShape(s, batch.size());
    boolean lcm = info.isLcm();
    boolean guided = !lcm && s.guidanceScale() > 1.0;

    long t0 = System.nanoTime();
    List<String> prompts = new ArrayList<>(batch.size());
    List<String> negatives = guided ? new ArrayList<>(batch.size()) : null;
    long[] seeds = new long[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      prompts.add(batch.get(i).prompt());
      if (guided) {
        negatives.add(batch.get(i).negativePrompt());
      }
      seeds[i] = batch.get(i).seed();
    }
    float[] hidden = promptEncoder.encode(prompts, negatives);
    float[] timestepCond = lcm ? repeat(GuidanceEmbedding.lcm(s.guidanceScale(), info.timeCondDim()), batch.size()) : null;
    long t1 = System.nanoTime();

    SamplerRun run = sampler(s).plan(s.steps(), shape);
    SeededNoise noise = new SeededNoise(seeds);
    float[] latents = Sampling.initialLatents(run, noise);
    GuidedDenoiser denoiser =
        new GuidedDenoiser(model.unet(), shape, hidden, timestepCond, guided, s.guidanceScale(), s.guidanceRescale());
    float[] denoised = Sampling.run(run, latents, denoiser, noise);
    long t2 = System.nanoTime();

    float scale = (float) (1.0 / info.vaeScalingFactor());
    float[] scaled = new float[denoised.length];
    for (int i = 0; i < scaled.length; i++) {
      scaled[i] = denoised[i] * scale;
    }
    float[] pixels = model.vaeDecoder().decode(scaled, shape);
    long t3 = System.nanoTime();

    StageTimings timings = new StageTimings(t1 - t0, denoiser.unetNanos(), (t2 - t1) - denoiser.unetNanos(), t3 - t2, 0);
    int width = shape.width() * 8;
    int height = shape.height() * 8;
    int imageSize = 3 * width * height;
    List<GenerationResult> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      GenerationRequest request = batch.get(i);
      if (!allFinite(pixels, i * imageSize, imageSize)) {
        out.add(GenerationResult.failure(request, "decode", "the VAE decoder returned non-finite pixels"));
        continue;
      }
      byte[] rgb = VaeImageConversion.toRgb(pixels, i, height, width);
      GeneratedImage image = new GeneratedImage(width, height, rgb, null, timings);
      if (encodePng) {
        long p0 = System.nanoTime();
        byte[] png = PNG.encode(rgb, width, height);
        image = image.withPng(png, System.nanoTime() - p0);
      }
      out.add(GenerationResult.success(request, image));
    }
    return out;
  }

  private Sampler sampler(GenerationSettings s) {
    return Samplers.create(s.sampler(), schedulerConfig, s.samplerOverrides());
  }

  private LatentShape latentShape(GenerationSettings s, int batch) {
    return new LatentShape(batch, info.latentChannels(), s.height() / 8, s.width() / 8);
  }

  private static float[] repeat(float[] row, int times) {
    float[] out = new float[row.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(row, 0, out, i * row.length, row.length);
    }
    return out;
  }

  private static boolean allFinite(float[] values, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      if (!Float.isFinite(values[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    model.close();
  }
}
