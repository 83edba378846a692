package org.diffusionbatch.core.sampler;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One diffusers trajectory file (format: shared/reference/README.md, "samplers/*.json"). Cases made
 * by tools/conformance/make_sampler_cases.py also hold the model's {@code scheduler_config.json}
 * as given ({@code model_scheduler_config}; null otherwise).
 */
record ReferenceTrajectory(
    String name,
    String scheduler,
    Map<String, Object> config,
    Map<String, Object> setTimesteps,
    Map<String, Object> stepKwargs,
    int steps,
    double guidanceScale,
    Map<String, Object> model,
    LatentShape shape,
    long seed,
    double initNoiseSigma,
    float[] initNoise,
    double[] timesteps,
    List<float[]> stepNoise,
    List<float[]> stepLatents,
    float[] result,
    Map<String, Object> modelSchedulerConfig,
    Path source) {

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  @SuppressWarnings("unchecked")
  static ReferenceTrajectory read(Path file) throws IOException {
    Map<String, Object> m = JSON.readValue(file.toFile(), new TypeReference<Map<String, Object>>() {});
    List<Number> shape = (List<Number>) m.get("shape");
    List<float[]> latents = new ArrayList<>();
    for (Map<String, Object> step : (List<Map<String, Object>>) m.get("steps")) {
      latents.add(floats(step.get("latents")));
    }
    List<float[]> noise = new ArrayList<>();
    for (Object draw : (List<Object>) m.getOrDefault("step_noise", List.of())) {
      noise.add(floats(draw));
    }
    return new ReferenceTrajectory(
        (String) m.get("name"),
        (String) m.get("scheduler"),
        (Map<String, Object>) m.get("config"),
        (Map<String, Object>) m.getOrDefault("set_timesteps", Map.of()),
        (Map<String, Object>) m.getOrDefault("step_kwargs", Map.of()),
        ((Number) m.get("num_inference_steps")).intValue(),
        ((Number) m.get("guidance_scale")).doubleValue(),
        (Map<String, Object>) m.get("model"),
        new LatentShape(shape.get(0).intValue(), shape.get(1).intValue(), shape.get(2).intValue(),
            shape.get(3).intValue()),
        ((Number) m.get("seed")).longValue(),
        ((Number) m.get("init_noise_sigma")).doubleValue(),
        floats(m.get("init_noise")),
        ((List<Number>) m.get("timesteps")).stream().mapToDouble(Number::doubleValue).toArray(),
        noise,
        latents,
        floats(m.get("final")),
        (Map<String, Object>) m.get("model_scheduler_config"),
        file);
  }

  @SuppressWarnings("unchecked")
  private static float[] floats(Object list) {
    List<Number> l = (List<Number>) list;
    float[] out = new float[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = l.get(i).floatValue();
    }
    return out;
  }
}
