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
import org.diffusionbatch.core.model.UNetConditioning;
import org.diffusionbatch.core.rng.SeededNoise;
import org.diffusionbatch.core.sampler.LatentShape;
import org.diffusionbatch.core.sampler.NonFiniteOutputException;
import org.diffusionbatch.core.sampler.Sampler;
import org.diffusionbatch.core.sampler.SamplerRun;
import org.diffusionbatch.core.sampler.Samplers;
import org.diffusionbatch.core.sampler.Sampling;
import org.diffusionbatch.core.sampler.SchedulerConfig;
import org.diffusionbatch.core.tokenizer.ClipTokenizer;

/**
 * Text to image, diffusers' StableDiffusionPipeline, StableDiffusionXLPipeline and
 * LatentConsistencyModelPipeline in Java: a batch of requests sharing sampler, steps, guidance and
 * size becomes images. Each row's seed alone fixes its initial latents, so a row gives the same
 * image in any batch.
 *
 * <p>Safe to share between threads: each call keeps its own state.
 */
public final class TextToImagePipeline implements AutoCloseable {
  /** CLIP's context length; every SD 1.x/2.x and SDXL text encoder takes 77 tokens. */
  static final int SEQUENCE_LENGTH = 77;

  private static final PngEncoder PNG = new PngEncoder();

  private final DiffusionModel model;
  private final ModelInfo info;
  private final SchedulerConfig schedulerConfig;
  private final Conditioner conditioner;

  public TextToImagePipeline(DiffusionModel model) {
    this.model = model;
    this.info = model.info();
    this.schedulerConfig = SchedulerConfig.read(info.schedulerConfig());
    this.conditioner = new Conditioner(info, promptEncoder(model));
  }

  /** SD: one encoder of the whole width. SDXL: text_encoder, then text_encoder_2 with its own tokenizer and the pooled output. */
  private static PromptEncoder promptEncoder(DiffusionModel model) {
    ModelInfo info = model.info();
    ClipTokenizer tokenizer = ClipTokenizer.fromDirectory(info.tokenizerDir());
    if (!info.isXl()) {
      return new PromptEncoder(List.of(new PromptEncoder.Encoder(tokenizer, model.textEncoder(), info.hiddenSize())),
          SEQUENCE_LENGTH, 0);
    }
    return new PromptEncoder(List.of(
        new PromptEncoder.Encoder(tokenizer, model.textEncoder(), info.xl().textWidth()),
        new PromptEncoder.Encoder(ClipTokenizer.fromDirectory(info.xl().tokenizer2Dir()), model.textEncoder2(),
            info.xl().text2Width())),
        SEQUENCE_LENGTH, info.xl().pooledSize());
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
   * The settings diffusers' pipelines (or the model's card, for distilled models) default to, at the
   * UNet's native size: the model's own scheduler as diffusers' from_config builds it, named so that
   * the name gives it back ({@link Samplers#modelDefault}; dpmpp-2m when the class is not
   * implemented, e.g. the PNDM of SD 1.x/2.x); Stable Diffusion 20 steps at guidance 7.5; SDXL 20
   * steps at 5; LCM 4 steps at 8.5 (LCM-SDXL at 8); SD-Turbo and SDXL-Turbo (an Euler ancestral
   * scheduler with "trailing" timesteps) 1 step without guidance.
   */
  public GenerationSettings defaults() {
    int latentHeight = info.fixedLatentHeight() != null ? info.fixedLatentHeight() : info.sampleSize();
    int latentWidth = info.fixedLatentWidth() != null ? info.fixedLatentWidth() : info.sampleSize();
    int f = info.vaeScaleFactor();
    String sampler = Samplers.modelDefault(schedulerConfig);
    if (info.isLcm()) {
      return new GenerationSettings(sampler, 4, info.isXl() ? 8.0 : 8.5, 0.0, latentWidth * f, latentHeight * f, null);
    }
    if (isAdversariallyDistilled()) {
      return new GenerationSettings(sampler, 1, 0.0, 0.0, latentWidth * f, latentHeight * f, null);
    }
    return new GenerationSettings(sampler, 20, info.isXl() ? 5.0 : 7.5, 0.0, latentWidth * f, latentHeight * f, null);
  }

  /** SD-Turbo and SDXL-Turbo ship EulerAncestralDiscreteScheduler with "trailing" timestep spacing. */
  private boolean isAdversariallyDistilled() {
    return schedulerConfig.className().orElse("").equals("EulerAncestralDiscreteScheduler")
        && schedulerConfig.findString("timestep_spacing").orElse("").equals("trailing");
  }

  /** Fills the settings' unset fields from {@link #defaults()} ({@link GenerationSettings#orDefaults}). */
  public GenerationSettings withDefaults(GenerationSettings s) {
    return s.orDefaults(defaults());
  }

  /**
   * Checks settings before any work: throws IllegalArgumentException naming the setting, its
   * value and what is accepted.
   */
  public void validate(GenerationSettings s) {
    requireSize("width", s.width(), info.fixedLatentWidth());
    requireSize("height", s.height(), info.fixedLatentHeight());
    requireLevels(s);
    if (!info.isXl() && !s.sizeConditioning().isDefault()) {
      throw new IllegalArgumentException("size conditioning (" + s.sizeConditioning() + ") applies to SDXL models only;"
          + " this model is a " + (info.pipelineClass() != null ? info.pipelineClass() : "Stable Diffusion export"));
    }
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

  private void requireSize(String name, int pixels, Integer fixedLatent) {
    int f = info.vaeScaleFactor();
    if (pixels <= 0 || pixels % 8 != 0) {
      throw new IllegalArgumentException(
          name + " must be a positive multiple of 8 (as diffusers requires), got " + pixels);
    }
    if (fixedLatent != null && pixels / f != fixedLatent) {
      throw new IllegalArgumentException(
          name + " " + pixels + " is not what this model's UNet graph accepts: it was exported for "
              + (fixedLatent * f) + " pixels (latent " + fixedLatent + "); use --" + name + " " + (fixedLatent * f)
              + " or export the model with dynamic spatial axes");
    }
  }

  /** Each UNet level halves the latents and the way up concatenates them with the way down: sizes must divide. */
  private void requireLevels(GenerationSettings s) {
    int multiple = info.latentMultiple() * info.vaeScaleFactor();
    for (String name : new String[] {"width", "height"}) {
      int pixels = name.equals("width") ? s.width() : s.height();
      if (pixels % multiple != 0) {
        int lower = Math.max(multiple, pixels / multiple * multiple);
        throw new IllegalArgumentException(name + " " + pixels + " is not a size this model can take: its UNet halves the"
            + " latents " + Integer.numberOfTrailingZeros(info.latentMultiple()) + " times, so " + name
            + " must be a multiple of " + multiple + " pixels; use --" + name + " " + lower + " or " + (lower + multiple));
      }
    }
  }

  /**
   * Makes one image per request, in order. Settings this model cannot run fail every row (stage
   * "settings", the reason {@link #validate} gives), checked here once per batch. Rows whose model
   * output turns non-finite fail alone (stage "denoise"); the other rows of the batch are made again
   * without them, which gives the same images since rows are independent.
   */
  public List<GenerationResult> generate(GenerationSettings settings, List<GenerationRequest> rows, boolean encodePng) {
    try {
      validate(settings);
    } catch (IllegalArgumentException e) {
      return rows.stream().map(row -> GenerationResult.failure(row, "settings", e.getMessage())).toList();
    }
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
    boolean guided = conditioner.guided(s);

    long t0 = System.nanoTime();
    long[] seeds = new long[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      seeds[i] = batch.get(i).seed();
    }
    UNetConditioning conditioning = conditioner.conditioning(s, batch);
    long t1 = System.nanoTime();

    SamplerRun run = sampler(s).plan(s.steps(), shape);
    SeededNoise noise = new SeededNoise(seeds);
    float[] latents = Sampling.initialLatents(run, noise);
    GuidedDenoiser denoiser =
        new GuidedDenoiser(model.unet(), shape, conditioning, guided, s.guidanceScale(), s.guidanceRescale());
    float[] denoised = Sampling.run(run, latents, denoiser, noise);
    long t2 = System.nanoTime();

    float[] pixels = model.vaeDecoder().decode(vaeInput(denoised, shape), shape);
    long t3 = System.nanoTime();

    StageTimings timings = new StageTimings(t1 - t0, denoiser.unetNanos(), (t2 - t1) - denoiser.unetNanos(), t3 - t2, 0);
    int width = shape.width() * info.vaeScaleFactor();
    int height = shape.height() * info.vaeScaleFactor();
    int imageSize = 3 * width * height;
    List<GenerationResult> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      GenerationRequest request = batch.get(i);
      if (!allFinite(pixels, i * imageSize, imageSize)) {
        out.add(GenerationResult.failure(request, "decode", nonFinitePixels()));
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

  /**
   * UNet evaluations per image (NFE) at these settings: the model calls the sampler plans (one per
   * timestep; a second-order singlestep DPM-Solver update spans two of them), doubled when
   * classifier-free guidance runs the unconditional row too. LCM models never double.
   */
  public int unetEvaluationsPerImage(GenerationSettings s) {
    int calls = sampler(s).plan(s.steps(), latentShape(s, 1)).steps();
    return conditioner.guided(s) ? 2 * calls : calls;
  }

  /**
   * What the VAE decoder gets: the latents divided by its scaling_factor, as diffusers' pipelines
   * do in float32; SDXL pipelines with a VAE that declares latents_mean and latents_std compute
   * {@code latents * std / scaling_factor + mean} per channel instead.
   */
  float[] vaeInput(float[] latents, LatentShape shape) {
    ModelInfo.Vae vae = info.vae();
    float scaling = (float) vae.scalingFactor();
    boolean stats = info.isXl() && vae.latentsMean() != null && vae.latentsStd() != null;
    int plane = shape.height() * shape.width();
    float[] out = new float[latents.length];
    for (int i = 0; i < out.length; i++) {
      if (stats) {
        int c = (i / plane) % shape.channels();
        out[i] = latents[i] * vae.latentsStd()[c] / scaling + vae.latentsMean()[c];
      } else {
        out[i] = latents[i] / scaling;
      }
    }
    return out;
  }

  private String nonFinitePixels() {
    if (info.vae().float16()) {
      return "the float16 VAE decoder returned NaN or infinite pixels (it overflowed); decode with a float32"
          + " vae_decoder/ (export it without --dtype fp16) or, for SDXL, the fp16-fix VAE madebyollin/sdxl-vae-fp16-fix";
    }
    return "the VAE decoder returned NaN or infinite pixels";
  }

  // The stages of one batch, package-private for tests that compare them with a reference trace.

  UNetConditioning conditioning(GenerationSettings s, List<GenerationRequest> batch) {
    return conditioner.conditioning(s, batch);
  }

  boolean guided(GenerationSettings s) {
    return conditioner.guided(s);
  }

  SamplerRun plan(GenerationSettings s, int batch) {
    return sampler(s).plan(s.steps(), latentShape(s, batch));
  }

  DiffusionModel model() {
    return model;
  }

  private Sampler sampler(GenerationSettings s) {
    return Samplers.create(s.sampler(), schedulerConfig, s.samplerOverrides());
  }

  private LatentShape latentShape(GenerationSettings s, int batch) {
    return new LatentShape(batch, info.latentChannels(), s.height() / info.vaeScaleFactor(), s.width() / info.vaeScaleFactor());
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
