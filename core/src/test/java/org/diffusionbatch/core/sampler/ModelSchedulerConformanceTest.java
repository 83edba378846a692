package org.diffusionbatch.core.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * "The model's own scheduler" against diffusers. Each case made by
 * tools/conformance/make_sampler_cases.py holds a model's {@code scheduler_config.json} as shipped
 * and the trajectory diffusers ran after {@code <_class_name>.from_pretrained(model folder)}
 * ({@code load_config} + {@code from_config}) with the config that gave. With no sampler name this
 * library must choose the name pinned here, build from that name exactly the config diffusers
 * resolved (every key of the class) and reproduce the trajectory. Cases come from test resources
 * and {@code -Dconformance.samplers=DIR} (those without a pinned name are checked for config and
 * trajectory only).
 */
class ModelSchedulerConformanceTest {
  private static final Map<String, String> PINNED_NAMES = Map.of(
      "model_dpmpp_3m_karras_12_cfg", "dpmpp-3m-karras",
      "model_dpmpp_2m_karras_heun_v_10_cfg", "dpmpp-2m-karras:solver_type=heun,lower_order_final=false",
      "model_dpmpp_2m_sde_karras_15_cfg", "dpmpp-2m-sde-karras",
      "model_dpmsolver_3m_threshold_20_cfg", "dpmpp-3m:algorithm_type=dpmsolver,final_sigmas_type=sigma_min",
      "model_dpm_2s_9_cfg", "dpm-2s",
      "model_dpm_3s_heun_karras_12_cfg",
      "dpm-2s:solver_order=3,solver_type=heun,use_karras_sigmas=true,final_sigmas_type=sigma_min",
      "model_euler_a_trailing_4", "euler-a");

  @Test
  void theDefaultSamplerIsTheModelsSchedulerAsDiffusersResolvesItAndItsNameGivesItBack() throws Exception {
    List<ReferenceTrajectory> cases = new ArrayList<>();
    URL bundled = getClass().getResource("/conformance/samplers");
    addModelCases(cases, Paths.get(bundled.toURI()));
    String extra = System.getProperty("conformance.samplers");
    if (extra != null && !extra.isBlank()) {
      addModelCases(cases, Paths.get(extra));
    }
    assertTrue(cases.stream().map(ReferenceTrajectory::name).toList().containsAll(PINNED_NAMES.keySet()),
        "a pinned case is missing from test resources");

    List<String> failures = new ArrayList<>();
    for (ReferenceTrajectory ref : cases) {
      SchedulerConfig model = SchedulerConfig.of(ref.modelSchedulerConfig());
      try {
        String name = Samplers.modelDefault(model);
        if (PINNED_NAMES.containsKey(ref.name())) {
          assertEquals(PINNED_NAMES.get(ref.name()), name, ref.name() + ": default sampler name");
        }
        Sampler byName = Samplers.create(name, model, Map.of());
        assertEquals(name, Samplers.create(null, model, Map.of()).name(), ref.name());
        assertSameConfig(ref, byName.config());
        double err = TrajectoryReplay.replay(ref, byName, null);
        System.out.printf("  %-36s %-62s max abs error %.3g%n", ref.name(), name, err);
      } catch (AssertionError | RuntimeException e) {
        System.out.printf("  %-36s FAILED: %s%n", ref.name(), e.getMessage());
        failures.add(ref.name() + ": " + e.getMessage());
      }
    }
    System.out.println("model scheduler conformance: " + cases.size() + " cases");
    assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size()
        + " model scheduler cases differ from diffusers:\n  " + String.join("\n  ", failures));
  }

  /** Every key diffusers' from_config resolved for the class has the same value here. */
  private static void assertSameConfig(ReferenceTrajectory ref, SchedulerConfig ours) {
    Map<String, String> differences = new LinkedHashMap<>();
    ref.config().forEach((key, want) -> {
      Object got = ours.get(key);
      boolean same = want instanceof Number && got instanceof Number
          ? ((Number) want).doubleValue() == ((Number) got).doubleValue()
          : want == null ? got == null && ours.containsKey(key) : want.equals(got);
      if (!same) {
        differences.put(key, "diffusers " + want + ", here " + got);
      }
    });
    assertTrue(differences.isEmpty(), ref.name() + ": config differs from diffusers' from_config: " + differences);
  }

  private static void addModelCases(List<ReferenceTrajectory> cases, Path dir) throws Exception {
    assertTrue(Files.isDirectory(dir), dir + " is not a directory");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    for (Path f : files) {
      ReferenceTrajectory ref = ReferenceTrajectory.read(f);
      if (ref.modelSchedulerConfig() != null) {
        cases.add(ref);
      }
    }
    assertFalse(cases.isEmpty(), dir + " holds no case with model_scheduler_config");
  }
}
