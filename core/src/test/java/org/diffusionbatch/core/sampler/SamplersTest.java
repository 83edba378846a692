package org.diffusionbatch.core.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Creating samplers from names and model configs, and the errors users see. */
class SamplersTest {
  private static final LatentShape SHAPE = new LatentShape(1, 4, 2, 2);
  private static final SchedulerConfig SD = SamplerMathTest.SD;

  @Test
  void unknownSamplerNameIsRejectedListingTheKnownNames() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Samplers.create("dpm++", SD, Map.of()));
    for (String known : Samplers.names()) {
      assertTrue(e.getMessage().contains(known), e.getMessage());
    }
    assertTrue(e.getMessage().contains("dpm++"));
  }

  @Test
  void everyNamedSamplerRunsASingleStep() {
    for (String name : Samplers.names()) {
      SamplerRun run = Samplers.create(name, SD, Map.of()).plan(1, SHAPE);
      assertEquals(1, run.steps(), name);
      float[] x = new float[SHAPE.size()];
      java.util.Arrays.fill(x, 0.5f);
      float[] out = Sampling.run(run, x, (in, k, t, o) -> java.util.Arrays.fill(o, 0.1f), new SeededNoise(1));
      for (float v : out) {
        assertTrue(Float.isFinite(v), name);
      }
    }
  }

  @Test
  void stepsBeyondTrainingTimestepsAreRejectedNamingValueAndRange() {
    for (String name : Samplers.names()) {
      Sampler s = Samplers.create(name, SD, Map.of());
      IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> s.plan(1001, SHAPE), name);
      assertTrue(tooMany.getMessage().contains("1001") && tooMany.getMessage().contains("1.."), tooMany.getMessage());
      IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> s.plan(0, SHAPE), name);
      assertTrue(none.getMessage().contains("steps 0"), none.getMessage());
    }
  }

  @Test
  void lcmAllowsAtMostItsOriginalInferenceSteps() {
    Sampler lcm = Samplers.create("lcm", SD, Map.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lcm.plan(51, SHAPE));
    assertTrue(e.getMessage().contains("1..50") && e.getMessage().contains("original_inference_steps"), e.getMessage());
    assertEquals(50, lcm.plan(50, SHAPE).steps());
  }

  @Test
  void leadingScheduleOverTheTrainingRangeIsRejectedWithAFix() {
    // SD's steps_offset 1 moves a 1000-step leading schedule to t = 1000, which diffusers indexes out of range
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Samplers.create("ddpm", SD, Map.of()).plan(1000, SHAPE));
    assertTrue(e.getMessage().contains("1000.0") && e.getMessage().contains("trailing"), e.getMessage());
  }

  @Test
  void pndmModelConfigWithoutANameSamplesWithDpmSolverPlusPlusOnTheModelsSchedule() {
    Sampler s = Samplers.create(null, SD, Map.of());
    assertEquals("dpmpp-2m", s.name());
    SchedulerConfig c = s.config();
    assertEquals("DPMSolverMultistepScheduler", c.className().orElseThrow());
    assertEquals("scaled_linear", c.getString("beta_schedule"));
    assertEquals(0.00085, c.getDouble("beta_start"));
    assertEquals(1, c.getInt("steps_offset"));
    assertEquals("linspace", c.getString("timestep_spacing"), "DPM's own default spacing");
    assertEquals(2, c.getInt("solver_order"));
    assertFalse(c.containsKey("skip_prk_steps"), "PNDM-only keys are dropped");
    assertEquals(Samplers.create("default", SD, Map.of()).config().asMap(), c.asMap());
  }

  @Test
  void modelsOwnSupportedSchedulerClassIsUsedAsIsByDefault() {
    SchedulerConfig euler = SD.with(Map.of("_class_name", "EulerDiscreteScheduler", "timestep_spacing", "trailing"));
    Sampler s = Samplers.create(null, euler, Map.of());
    assertEquals("euler", s.name());
    assertEquals("trailing", s.config().getString("timestep_spacing"));
  }

  @Test
  void modelDefaultNamesTheModelsSchedulerWithEveryAlgorithmKeyItSets() {
    String dpm = "DPMSolverMultistepScheduler";
    String single = "DPMSolverSinglestepScheduler";
    Map<SchedulerConfig, String> expected = new java.util.LinkedHashMap<>();
    expected.put(model(dpm), "dpmpp-2m");
    expected.put(model(dpm, "solver_order", 3, "use_karras_sigmas", true), "dpmpp-3m-karras");
    expected.put(model(dpm, "algorithm_type", "sde-dpmsolver++", "use_karras_sigmas", true), "dpmpp-2m-sde-karras");
    expected.put(model(dpm, "use_karras_sigmas", true, "solver_type", "heun", "lower_order_final", false,
        "prediction_type", "v_prediction", "timestep_spacing", "trailing"),
        "dpmpp-2m-karras:solver_type=heun,lower_order_final=false");
    expected.put(model(dpm, "algorithm_type", "dpmsolver", "solver_order", 3, "final_sigmas_type", "sigma_min",
        "thresholding", true, "euler_at_final", true, "lambda_min_clipped", -5.1),
        "dpmpp-3m:algorithm_type=dpmsolver,final_sigmas_type=sigma_min,lambda_min_clipped=-5.1,euler_at_final=true");
    // diffusers' __init__ registers deis as dpmsolver++ and bh2 as midpoint
    expected.put(model(dpm, "algorithm_type", "deis", "solver_type", "bh2"), "dpmpp-2m");
    expected.put(model(single), "dpm-2s");
    expected.put(model(single, "solver_order", 3, "solver_type", "heun", "use_karras_sigmas", true,
        "final_sigmas_type", "sigma_min"),
        "dpm-2s:solver_order=3,solver_type=heun,use_karras_sigmas=true,final_sigmas_type=sigma_min");
    expected.put(model("EulerDiscreteScheduler", "use_karras_sigmas", true, "timestep_spacing", "leading"),
        "euler:use_karras_sigmas=true");
    expected.put(model("EulerAncestralDiscreteScheduler", "timestep_spacing", "trailing"), "euler-a");
    expected.put(model("DDIMScheduler", "clip_sample", false), "ddim");
    expected.put(model("LCMScheduler", "original_inference_steps", 50), "lcm");
    expected.put(model("PNDMScheduler"), "dpmpp-2m");
    expected.put(model("LMSDiscreteScheduler", "use_karras_sigmas", true), "dpmpp-2m");
    expected.forEach((config, name) -> {
      assertEquals(name, Samplers.modelDefault(config), config.toString());
      Sampler byDefault = Samplers.create(null, config, Map.of());
      assertEquals(name, byDefault.name());
      // the name alone, with the same model, builds the same sampler
      assertEquals(byDefault.config().asMap(), Samplers.create(name, config, Map.of()).config().asMap(), name);
    });
  }

  @Test
  void modelDefaultIsTheModelsConfigAsFromConfigResolvesIt() {
    SchedulerConfig karras3m = model("DPMSolverMultistepScheduler", "solver_order", 3, "use_karras_sigmas", true,
        "lower_order_final", false, "some_future_key", 1);
    SchedulerConfig c = Samplers.create(null, karras3m, Map.of()).config();
    assertEquals(karras3m.resolvedFor("DPMSolverMultistepScheduler").asMap(), c.asMap());
    assertEquals(3, c.getInt("solver_order"));
    assertTrue(c.getBoolean("use_karras_sigmas"));
    assertFalse(c.getBoolean("lower_order_final"));
    assertEquals(1, c.getInt("steps_offset"));
    assertFalse(c.containsKey("some_future_key"));
    assertFalse(c.containsKey("skip_prk_steps"));
  }

  @Test
  void keysDiffusersTookAsDefaultsAreNotCarriedToANamedSamplerEither() {
    // diffusers' from_config drops keys listed under _use_default_values, whichever class reads them
    SchedulerConfig model = model("EulerDiscreteScheduler", "timestep_spacing", "leading",
        "_use_default_values", java.util.List.of("timestep_spacing"));
    assertEquals("linspace", Samplers.create("dpmpp-2m", model, Map.of()).config().getString("timestep_spacing"));
    assertEquals("linspace", Samplers.create(null, model, Map.of()).config().getString("timestep_spacing"));
  }

  @Test
  void aSamplersNameSaysWhatRunsIncludingOptionsAndOverrides() {
    assertEquals("dpmpp-2m-karras", Samplers.create("dpmpp-2m", SD, Map.of("use_karras_sigmas", true)).name());
    assertEquals("dpmpp-3m-karras", Samplers.create("dpmpp-2m:solver_order=3,use_karras_sigmas=true", SD, Map.of()).name());
    assertEquals("ddim:eta=0.5", Samplers.create("ddim", SD, Map.of("eta", 0.5)).name());
    assertEquals("euler:timestep_spacing=trailing", Samplers.create("euler", SD, Map.of("timestep_spacing", "trailing")).name());
    SchedulerConfig karras3m = model("DPMSolverMultistepScheduler", "solver_order", 3, "use_karras_sigmas", true);
    assertEquals("dpmpp-3m-karras:lower_order_final=false",
        Samplers.create("default:lower_order_final=false", karras3m, Map.of()).name());
    // an option the override replaces is named with the value that runs
    assertEquals("dpmpp-2m:solver_type=heun",
        Samplers.create("dpmpp-2m:solver_type=bh1", SD, Map.of("solver_type", "heun")).name());
  }

  @Test
  void optionsInANameAreCheckedLikeOverrides() {
    IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
        () -> Samplers.create("euler:eta=0.5", SD, Map.of()));
    assertTrue(key.getMessage().contains("'eta'") && key.getMessage().contains("use_karras_sigmas"), key.getMessage());
    IllegalArgumentException pair = assertThrows(IllegalArgumentException.class,
        () -> Samplers.create("dpmpp-2m:use_karras_sigmas", SD, Map.of()));
    assertTrue(pair.getMessage().contains("KEY=VALUE"), pair.getMessage());
    IllegalArgumentException base = assertThrows(IllegalArgumentException.class,
        () -> Samplers.create("dpmpp-4m:solver_order=4", SD, Map.of()));
    assertTrue(base.getMessage().contains("unknown sampler 'dpmpp-4m'"), base.getMessage());
  }

  @Test
  void karrasTimestepsOnTheCosineScheduleAreTruncatedByMultistepAndRoundedBySinglestep() {
    // diffusers' set_timesteps(10) on {beta_schedule: squaredcos_cap_v2, use_karras_sigmas: true}
    // (its source at 58eb52c, run by tools/conformance/diffusers_source.py): the multistep class
    // skips the rounding on that schedule and its int64 cast truncates; the singlestep one rounds.
    // The first multistep timestep is 998.99999996 under numpy 2's casting, which this library
    // follows (numpy 1.24 keeps _sigma_to_t's weight in float32 and gets 999.0).
    SchedulerConfig cosine = SchedulerConfig.of(Map.of("beta_schedule", "squaredcos_cap_v2", "use_karras_sigmas", true));
    assertArrayEquals(new double[] {998, 998, 998, 998, 997, 995, 983, 894, 259, 0},
        Samplers.fromDiffusers("DPMSolverMultistepScheduler", cosine).plan(10, SHAPE).timesteps());
    assertArrayEquals(new double[] {999, 999, 999, 998, 998, 995, 983, 895, 259, 0},
        Samplers.fromDiffusers("DPMSolverSinglestepScheduler", cosine).plan(10, SHAPE).timesteps());
  }

  private static SchedulerConfig model(String className, Object... keys) {
    Map<String, Object> m = new java.util.LinkedHashMap<>(SD.asMap());
    m.put("_class_name", className);
    for (int i = 0; i < keys.length; i += 2) {
      m.put((String) keys[i], keys[i + 1]);
    }
    return SchedulerConfig.of(m);
  }

  @Test
  void aNamedSamplerKeepsTheModelsScheduleKeysButNotItsAlgorithmSettings() {
    SchedulerConfig model = SD.with(Map.of("_class_name", "DPMSolverMultistepScheduler",
        "use_karras_sigmas", true, "solver_order", 3, "prediction_type", "v_prediction",
        "timestep_spacing", "trailing"));
    SchedulerConfig c = Samplers.create("dpmpp-2m", model, Map.of()).config();
    assertFalse(c.getBoolean("use_karras_sigmas"));
    assertEquals(2, c.getInt("solver_order"));
    assertEquals("v_prediction", c.getString("prediction_type"));
    assertEquals("trailing", c.getString("timestep_spacing"));
    assertTrue(Samplers.create("dpmpp-2m-karras", model, Map.of()).config().getBoolean("use_karras_sigmas"));
    assertEquals(3, Samplers.create("dpmpp-3m", model, Map.of()).config().getInt("solver_order"));
  }

  @Test
  void overridesReplaceModelValuesAndUnknownOverridesAreRejectedListingAcceptedKeys() {
    Sampler s = Samplers.create("euler", SD, Map.of("timestep_spacing", "trailing", "use_karras_sigmas", true));
    assertEquals("trailing", s.config().getString("timestep_spacing"));
    assertTrue(s.config().getBoolean("use_karras_sigmas"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Samplers.create("euler", SD, Map.of("eta", 0.5)));
    assertTrue(e.getMessage().contains("eta") && e.getMessage().contains("use_karras_sigmas"), e.getMessage());
    assertEquals(0.5, Samplers.create("ddim", SD, Map.of("eta", 0.5)).config().getDouble("eta"));
  }

  @Test
  void badConfigValuesAreReportedWithTheKeyAndTheChoices() {
    IllegalArgumentException spacing = assertThrows(IllegalArgumentException.class,
        () -> Samplers.create("ddim", SD, Map.of("timestep_spacing", "uniform")));
    assertTrue(spacing.getMessage().contains("timestep_spacing 'uniform'") && spacing.getMessage().contains("trailing"));
    IllegalArgumentException prediction = assertThrows(IllegalArgumentException.class,
        () -> Samplers.create("euler", SD, Map.of("prediction_type", "flow")));
    assertTrue(prediction.getMessage().contains("prediction_type 'flow'"));
    IllegalArgumentException dpm = assertThrows(IllegalArgumentException.class,
        () -> Samplers.create("dpmpp-2m", SD, Map.of("algorithm_type", "dpmsolver")));
    assertTrue(dpm.getMessage().contains("sigma_min"), dpm.getMessage());
  }

  @Test
  void unsupportedDiffusersClassIsRejectedListingSupportedOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Samplers.fromDiffusers("PNDMScheduler", SD));
    assertTrue(e.getMessage().contains("DDIMScheduler") && e.getMessage().contains("dpmpp-2m"), e.getMessage());
  }

  @Test
  void schedulerConfigFileWithInfinityNullsAndUnknownKeysIsReadAndKept(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("scheduler_config.json");
    Files.writeString(file, "{\"_class_name\": \"DPMSolverMultistepScheduler\", \"_diffusers_version\": \"0.30.0\","
        + " \"lambda_min_clipped\": -Infinity, \"variance_type\": null, \"trained_betas\": null,"
        + " \"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085, \"beta_end\": 0.012,"
        + " \"some_future_key\": [1, 2]}");
    SchedulerConfig c = SchedulerConfig.read(file);
    assertEquals(Double.NEGATIVE_INFINITY, c.getDouble("lambda_min_clipped"));
    assertTrue(c.containsKey("variance_type"));
    assertNull(c.get("variance_type"));
    assertEquals(java.util.List.of(1, 2), c.get("some_future_key"));
    Sampler s = Samplers.create(null, c, Map.of());
    assertEquals("dpmpp-2m", s.name());
    assertEquals(20, s.plan(20, SHAPE).steps());
  }

  @Test
  void wrongTypedConfigValueNamesTheKey() {
    SchedulerConfig c = SchedulerConfig.of(Map.of("num_train_timesteps", "many"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.getInt("num_train_timesteps"));
    assertTrue(e.getMessage().contains("'num_train_timesteps' must be a number"), e.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> c.getDouble("beta_end"));
    assertTrue(missing.getMessage().contains("'beta_end'"), missing.getMessage());
  }
}
