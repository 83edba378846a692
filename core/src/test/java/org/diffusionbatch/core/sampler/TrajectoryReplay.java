package org.diffusionbatch.core.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffusionbatch.core.schedule.NoiseSchedule;

/**
 * Replays a reference trajectory through this library exactly as the reference README says, with
 * the library's own torch-compatible noise, and reports the largest absolute latent error over all
 * steps (and the final tensor).
 */
final class TrajectoryReplay {
  static final double TOLERANCE = 1e-4;

  private TrajectoryReplay() {}

  /** Replays with the sampler diffusers' class gives for the case's resolved config. */
  @SuppressWarnings("unchecked")
  static double replay(ReferenceTrajectory ref) {
    Map<String, Object> config = new LinkedHashMap<>(ref.config());
    double[] customTimesteps = null;
    for (Map.Entry<String, Object> e : ref.setTimesteps().entrySet()) {
      switch (e.getKey()) {
        case "original_inference_steps":
          config.put(e.getKey(), e.getValue());
          break;
        case "timesteps":
          customTimesteps = ((List<Number>) e.getValue()).stream().mapToDouble(Number::doubleValue).toArray();
          break;
        default:
          throw new AssertionError(ref.name() + ": set_timesteps argument " + e.getKey() + " not replayable");
      }
    }
    // step() keyword arguments (DDIM's eta) are sampler overrides here
    Sampler sampler = Samplers.fromDiffusers(ref.scheduler(), SchedulerConfig.of(config), ref.stepKwargs());
    return replay(ref, sampler, customTimesteps);
  }

  /**
   * Replays with {@code sampler} and this library's own seeded noise, which must reproduce every
   * noise tensor diffusers drew ({@link CheckedTorchNoise}).
   */
  @SuppressWarnings("unchecked")
  static double replay(ReferenceTrajectory ref, Sampler sampler, double[] customTimesteps) {
    SchedulerConfig cfg = sampler.config();
    LatentShape shape = ref.shape();
    SamplerRun run = customTimesteps != null
        ? sampler.plan(customTimesteps, shape) : sampler.plan(ref.steps(), shape);
    assertArrayEquals(ref.timesteps(), run.timesteps(), 0.0, ref.name() + ": timesteps");
    assertEquals(ref.initNoiseSigma(), run.initNoiseSigma(), 1e-6 * ref.initNoiseSigma(),
        ref.name() + ": init_noise_sigma");

    NoiseSchedule schedule = TrainingSchedule.of(cfg);
    PredictionType prediction = TrainingSchedule.prediction(cfg);
    GaussianMixtureDenoiser cond = GaussianMixtureDenoiser.fromJson((Map<String, Object>) ref.model().get("cond"));
    GaussianMixtureDenoiser uncond = GaussianMixtureDenoiser.fromJson((Map<String, Object>) ref.model().get("uncond"));
    boolean cfgOn = ClassifierFreeGuidance.guidanceEnabled(ref.guidanceScale());

    int n = shape.size();
    CheckedTorchNoise noise = new CheckedTorchNoise(ref);
    float[] x = Sampling.initialLatents(run, noise);
    float[] input = new float[n];
    float[] output = new float[n];
    float[] both = new float[2 * n];
    float[] half = new float[n];
    double maxErr = 0;
    for (int k = 0; k < run.steps(); k++) {
      double t = run.timestep(k);
      run.scaleModelInput(x, k, input);
      if (cfgOn) {
        uncond.predict(input, t, schedule, prediction, half);
        System.arraycopy(half, 0, both, 0, n);
        cond.predict(input, t, schedule, prediction, half);
        System.arraycopy(half, 0, both, n, n);
        ClassifierFreeGuidance.combine(both, shape, ref.guidanceScale(), 0, output);
      } else {
        cond.predict(input, t, schedule, prediction, output);
      }
      Sampling.checkFinite(output, shape, k, t);
      run.step(k, output, x, noise);
      maxErr = Math.max(maxErr, maxAbsDiff(ref.stepLatents().get(k), x));
      if (maxErr > TOLERANCE) {
        throw new AssertionError(String.format(
            "%s: step %d (t=%s) latents off by %.3g > %.0e", ref.name(), k, t, maxErr, TOLERANCE));
      }
    }
    assertEquals(noise.expectedDraws(), noise.draws(), ref.name() + ": noise draws (init_noise + step_noise)");
    maxErr = Math.max(maxErr, maxAbsDiff(ref.result(), run.result(x)));
    if (maxErr > TOLERANCE) {
      throw new AssertionError(String.format("%s: final off by %.3g", ref.name(), maxErr));
    }
    return maxErr;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length, "tensor sizes");
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - b[i]);
      // NaN on either side is a mismatch: Math.max would carry it and "NaN > tolerance" is false
      m = Math.max(m, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
    }
    return m;
  }
}
