package org.diffusionbatch.core.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The defaults from_config fills in for keys a model's config leaves out, against the
 * {@code __init__} signatures of diffusers' own classes (test resource made by
 * tools/conformance/make_scheduler_defaults.py from diffusers' source).
 */
class DiffusersDefaultsTest {
  @Test
  void everyImplementedClassHasDiffusersKeysAndDefaults() throws Exception {
    Map<String, Map<String, Object>> diffusers;
    try (InputStream in = getClass().getResourceAsStream("/conformance/schedulers/init_defaults.json")) {
      Map<String, Object> file = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
          .readValue(in, new TypeReference<Map<String, Object>>() {});
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> classes = (Map<String, Map<String, Object>>) file.get("classes");
      diffusers = classes;
    }
    assertEquals(new TreeMap<>(diffusers).keySet(), new java.util.TreeSet<>(DiffusersDefaults.classNames()));
    Map<String, String> differences = new LinkedHashMap<>();
    diffusers.forEach((cls, defaults) -> {
      Map<String, Object> ours = DiffusersDefaults.of(cls);
      assertEquals(new java.util.TreeSet<>(defaults.keySet()), new java.util.TreeSet<>(ours.keySet()), cls + " keys");
      defaults.forEach((key, want) -> {
        Object got = ours.get(key);
        boolean same = want instanceof Number && got instanceof Number
            ? ((Number) want).doubleValue() == ((Number) got).doubleValue()
            : want == null ? got == null : want.equals(got);
        if (!same) {
          differences.put(cls + "." + key, "diffusers " + want + ", here " + got);
        }
      });
    });
    assertTrue(differences.isEmpty(), "defaults differ from diffusers': " + differences);
  }
}
