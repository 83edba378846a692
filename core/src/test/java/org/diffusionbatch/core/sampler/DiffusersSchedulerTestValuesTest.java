package org.diffusionbatch.core.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The numbers diffusers' own scheduler unit tests (tests/schedulers/, diffusers main) assert for
 * their deterministic full loops: the dummy model {@code sample * t / (t + 1)} on
 * {@code dummy_sample_deter}, 10 steps, compared by mean (or sum) of |sample|. The singlestep
 * test's numbers are left out: they predate diffusers' current order list (last step first order)
 * and match only the old [1, 2, ..., 1, 2] list with a sigma_min end.
 */
class DiffusersSchedulerTestValuesTest {
  private static final LatentShape SHAPE = new LatentShape(4, 3, 8, 8);
  private static final NoiseSource NO_NOISE = (out, shape) -> {
    throw new AssertionError("a deterministic loop drew noise");
  };

  /** diffusers' dummy_sample_deter: arange(768) laid out as (C, H, W, B), divided by 768. */
  private static float[] dummySampleDeter() {
    float[] x = new float[SHAPE.size()];
    for (int b = 0; b < 4; b++) {
      for (int c = 0; c < 3; c++) {
        for (int h = 0; h < 8; h++) {
          for (int w = 0; w < 8; w++) {
            int source = ((c * 8 + h) * 8 + w) * 4 + b;
            x[((b * 3 + c) * 8 + h) * 8 + w] = (float) source / 768f;
          }
        }
      }
    }
    return x;
  }

  /** diffusers' dummy_model: sample * t / (t + 1). */
  private static void dummyModel(float[] x, double t, float[] out) {
    float ft = (float) t;
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] * ft / (ft + 1f);
    }
  }

  /** The full_loop of the DPM-Solver and DDIM tests: model on the sample, then step. */
  private static float[] fullLoop(String className, Map<String, Object> config) {
    SamplerRun run = Samplers.fromDiffusers(className, SchedulerConfig.of(config)).plan(10, SHAPE);
    float[] x = dummySampleDeter();
    float[] out = new float[x.length];
    for (int k = 0; k < run.steps(); k++) {
      dummyModel(x, run.timestep(k), out);
      run.step(k, out, x, NO_NOISE);
    }
    return x;
  }

  /** The Euler tests' loop, which feeds the scaled input back in as the sample. */
  private static float[] eulerLoop(Map<String, Object> config) {
    SamplerRun run = Samplers.fromDiffusers("EulerDiscreteScheduler", SchedulerConfig.of(config)).plan(10, SHAPE);
    float[] x = dummySampleDeter();
    float s = (float) run.initNoiseSigma();
    for (int i = 0; i < x.length; i++) {
      x[i] *= s;
    }
    float[] out = new float[x.length];
    for (int k = 0; k < run.steps(); k++) {
      run.scaleModelInput(x, k, x);
      dummyModel(x, run.timestep(k), out);
      run.step(k, out, x, NO_NOISE);
    }
    return x;
  }

  private static double sumAbs(float[] x) {
    double s = 0;
    for (float v : x) {
      s += Math.abs(v);
    }
    return s;
  }

  private static double meanAbs(float[] x) {
    return sumAbs(x) / x.length;
  }

  private static Map<String, Object> dpmMultistep(Object... kv) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("num_train_timesteps", 1000);
    c.put("beta_start", 0.0001);
    c.put("beta_end", 0.02);
    c.put("beta_schedule", "linear");
    c.put("solver_order", 2);
    c.put("prediction_type", "epsilon");
    c.put("thresholding", false);
    c.put("sample_max_value", 1.0);
    c.put("algorithm_type", "dpmsolver++");
    c.put("solver_type", "midpoint");
    c.put("lower_order_final", false);
    c.put("euler_at_final", false);
    c.put("lambda_min_clipped", Double.NEGATIVE_INFINITY);
    c.put("variance_type", null);
    c.put("final_sigmas_type", "sigma_min");
    return put(c, kv);
  }

  private static Map<String, Object> ddim(Object... kv) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("num_train_timesteps", 1000);
    c.put("beta_start", 0.0001);
    c.put("beta_end", 0.02);
    c.put("beta_schedule", "linear");
    c.put("clip_sample", true);
    return put(c, kv);
  }

  private static Map<String, Object> euler(Object... kv) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("num_train_timesteps", 1100);
    c.put("beta_start", 0.0001);
    c.put("beta_end", 0.02);
    c.put("beta_schedule", "linear");
    return put(c, kv);
  }

  private static Map<String, Object> put(Map<String, Object> c, Object... kv) {
    for (int i = 0; i < kv.length; i += 2) {
      c.put((String) kv[i], kv[i + 1]);
    }
    return c;
  }

  @Test
  void dpmSolverMultistepFullLoopsMatchDiffusersTestMeans() {
    String cls = "DPMSolverMultistepScheduler";
    assertEquals(0.3301, meanAbs(fullLoop(cls, dpmMultistep())), 1e-3);
    assertEquals(1.1364, meanAbs(fullLoop(cls, dpmMultistep(
        "thresholding", true, "dynamic_thresholding_ratio", 0.87, "sample_max_value", 0.5))), 1e-3);
    assertEquals(0.2251, meanAbs(fullLoop(cls, dpmMultistep("prediction_type", "v_prediction"))), 1e-3);
    assertEquals(0.2096, meanAbs(fullLoop(cls, dpmMultistep(
        "prediction_type", "v_prediction", "use_karras_sigmas", true))), 1e-3);
  }

  @Test
  void ddimFullLoopsMatchDiffusersTestSums() {
    String cls = "DDIMScheduler";
    assertEquals(172.0067, sumAbs(fullLoop(cls, ddim())), 1e-2);
    assertEquals(52.5302, sumAbs(fullLoop(cls, ddim("prediction_type", "v_prediction"))), 1e-2);
    assertEquals(149.8295, sumAbs(fullLoop(cls, ddim("set_alpha_to_one", true, "beta_start", 0.01))), 1e-2);
    assertEquals(149.0784, sumAbs(fullLoop(cls, ddim("set_alpha_to_one", false, "beta_start", 0.01))), 1e-2);
  }

  @Test
  void ddimStepsOffsetTimestepsMatchDiffusersTest() {
    SamplerRun run = Samplers.fromDiffusers("DDIMScheduler", SchedulerConfig.of(ddim("steps_offset", 1)))
        .plan(5, SHAPE);
    assertArrayEquals(new double[] {801, 601, 401, 201, 1}, run.timesteps());
  }

  @Test
  void lcmOneStepFullLoopMatchesDiffusersTestSum() {
    Map<String, Object> lcm = put(new LinkedHashMap<>(), "num_train_timesteps", 1000, "beta_start", 0.00085,
        "beta_end", 0.0120, "beta_schedule", "scaled_linear", "prediction_type", "epsilon");
    SamplerRun run = Samplers.fromDiffusers("LCMScheduler", SchedulerConfig.of(lcm)).plan(1, SHAPE);
    float[] x = dummySampleDeter();
    float[] out = new float[x.length];
    dummyModel(x, run.timestep(0), out);
    run.step(0, out, x, NO_NOISE);
    assertEquals(18.7097, sumAbs(run.result(x)), 1e-3);
  }

  @Test
  void lcmCustomTimestepsFromDiffusersTestAreAcceptedAndTooLargeOnesRejected() {
    Sampler lcm = Samplers.fromDiffusers("LCMScheduler", SchedulerConfig.of(Map.of()));
    assertArrayEquals(new double[] {100, 87, 50, 1, 0}, lcm.plan(new double[] {100, 87, 50, 1, 0}, SHAPE).timesteps());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> lcm.plan(new double[] {1000}, SHAPE));
  }

  @Test
  void eulerFullLoopsMatchDiffusersTestSums() {
    assertEquals(10.0807, sumAbs(eulerLoop(euler())), 1e-2);
    assertEquals(0.0002, sumAbs(eulerLoop(euler("prediction_type", "v_prediction"))), 1e-2);
    assertEquals(124.52299499511719, sumAbs(eulerLoop(euler("use_karras_sigmas", true))), 1e-2);
  }
}
