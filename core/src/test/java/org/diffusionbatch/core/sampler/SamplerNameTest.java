package org.diffusionbatch.core.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SamplerNameTest {
  @Test
  void optionsAreTypedAsSchedulerConfigJsonHoldsThem() {
    SamplerName n = SamplerName.parse(
        " dpmpp-2m-karras:solver_type=heun, solver_order=3,lambda_min_clipped=-inf,variance_type=null,"
            + "sample_max_value=1.5,euler_at_final=TRUE");
    assertEquals("dpmpp-2m-karras", n.base());
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("solver_type", "heun");
    expected.put("solver_order", 3L);
    expected.put("lambda_min_clipped", Double.NEGATIVE_INFINITY);
    expected.put("variance_type", null);
    expected.put("sample_max_value", 1.5);
    expected.put("euler_at_final", true);
    assertEquals(expected, n.options());
    assertEquals(
        "dpmpp-2m-karras:solver_type=heun,solver_order=3,lambda_min_clipped=-inf,variance_type=null,"
            + "sample_max_value=1.5,euler_at_final=true",
        n.toString());
    assertEquals(n, SamplerName.parse(n.toString()));
    assertEquals(n, SamplerName.parse(n.toString().toLowerCase(java.util.Locale.ROOT)), "job rows lower-case names");
  }

  @Test
  void aPlainNameHasNoOptions() {
    assertEquals(new SamplerName("euler", Map.of()), SamplerName.parse("euler"));
    assertEquals("euler", new SamplerName("euler", Map.of()).toString());
    assertNull(SamplerName.parseValue("None"));
  }

  @Test
  void malformedOptionsAreRejectedNamingThePart() {
    IllegalArgumentException noValue = assertThrows(IllegalArgumentException.class,
        () -> SamplerName.parse("dpmpp-2m:use_karras_sigmas"));
    assertTrue(noValue.getMessage().contains("'use_karras_sigmas' is not KEY=VALUE"), noValue.getMessage());
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> SamplerName.parse("dpmpp-2m:solver_order=2,solver_order=3"));
    assertTrue(twice.getMessage().contains("solver_order twice"), twice.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SamplerName.parse("dpmpp-2m:"));
  }

  @Test
  void aValueThatWouldNotReadBackCannotBeWritten() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SamplerName("dpmpp-2m", Map.of("trained_betas", java.util.List.of(0.1, 0.2))).toString());
    assertTrue(e.getMessage().contains("trained_betas"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new SamplerName("euler", Map.of("timestep_type", "true")).toString());
  }
}
