package org.diffusionbatch.bench;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.diffusionbatch.core.sampler.ClassifierFreeGuidance;
import org.diffusionbatch.core.sampler.LatentShape;
import org.diffusionbatch.core.sampler.NoiseSource;
import org.diffusionbatch.core.sampler.Sampler;
import org.diffusionbatch.core.sampler.SamplerRun;
import org.diffusionbatch.core.sampler.SchedulerConfig;
import org.diffusionbatch.core.sampler.Samplers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The sampler's share of one denoising step at Stable Diffusion 512x512 shapes, single thread:
 * for 8 images with classifier-free guidance, combining the 16x4x64x64 UNet output into
 * 8x4x64x64 and one sampler step; for LCM (no guidance batch) one step on 8x4x64x64. Target: at
 * most 0.5 ms per step on one core. {@code scaleModelInput} is measured separately (Euler divides
 * every element; the others copy, which a pipeline may skip by feeding x itself).
 *
 * <p>Run: {@code mvn -B -q -Pbench -pl bench -am -DskipTests package && java -jar
 * bench/target/benchmarks.jar SamplerStepBenchmark -f 1 -wi 3 -i 5 -t 1}
 *
 * <p>A run is re-planned when its steps are used up (every 1000 steps, 50 for LCM); that
 * allocation is part of the measured time, amortised over those steps. Noise comes from a
 * precomputed buffer: drawing it is the RNG's cost, not the sampler's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SamplerStepBenchmark {
  private static final LatentShape SHAPE = new LatentShape(8, 4, 64, 64);
  private static final SchedulerConfig SD = SchedulerConfig.of(Map.of(
      "_class_name", "PNDMScheduler", "num_train_timesteps", 1000, "beta_start", 0.00085,
      "beta_end", 0.012, "beta_schedule", "scaled_linear", "steps_offset", 1,
      "set_alpha_to_one", false, "clip_sample", false));

  @Param({"dpmpp-2m", "euler", "lcm"})
  public String sampler;

  private Sampler configured;
  private int stepsPerRun;
  private boolean guided;
  private SamplerRun run;
  private int step;
  private float[] start;
  private float[] x;
  private float[] unetOut;
  private float[] guided8;
  private float[] modelInput;
  private float[] noiseValues;
  private NoiseSource noise;

  @Setup
  public void setUp() {
    configured = Samplers.create(sampler, SD, Map.of());
    guided = !sampler.equals("lcm");
    stepsPerRun = sampler.equals("lcm") ? 50 : 1000;
    Random random = new Random(42);
    start = gaussian(random, SHAPE.size());
    unetOut = gaussian(random, guided ? 2 * SHAPE.size() : SHAPE.size());
    noiseValues = gaussian(random, SHAPE.size());
    guided8 = new float[SHAPE.size()];
    modelInput = new float[SHAPE.size()];
    noise = (out, shape) -> System.arraycopy(noiseValues, 0, out, 0, out.length);
    newRun();
  }

  private static float[] gaussian(Random random, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) random.nextGaussian();
    }
    return a;
  }

  private void newRun() {
    run = configured.plan(stepsPerRun, SHAPE);
    x = start.clone();
    step = 0;
  }

  /** One step as the pipeline takes it: guidance combine (if guided), then the sampler step. */
  @Benchmark
  public float[] step() {
    if (step == stepsPerRun) {
      newRun();
    }
    float[] modelOutput = unetOut;
    if (guided) {
      ClassifierFreeGuidance.combine(unetOut, SHAPE, 7.5, 0, guided8);
      modelOutput = guided8;
    }
    run.step(step, modelOutput, x, noise);
    step++;
    return x;
  }

  /** The model-input scaling of one step (Euler: x / sqrt(sigma^2 + 1); others: a copy). */
  @Benchmark
  public float[] scaleModelInput() {
    run.scaleModelInput(x, 0, modelInput);
    return modelInput;
  }
}
