package org.diffusionbatch.jobs.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.jobs.spark.ConfigurationException;
import org.diffusionbatch.jobs.model.ExecutorModels;
import org.diffusionbatch.jobs.model.ImageMaker;

/**
 * Turns the grid's points into cells on the driver: fills each point from the command line's
 * fixed settings, then its model's defaults, and asks the model whether it can run it. Every
 * cell that cannot run is reported at once, before any work.
 */
final class CellPlanner {
  private final ModelLoaders loaders;
  private final ModelRuntime runtime;

  CellPlanner(ModelLoaders loaders, ModelRuntime runtime) {
    this.loaders = loaders;
    this.runtime = runtime;
  }

  List<Cell> plan(SweepGrid grid, SweepOptions.Fixed fixed) {
    List<Cell> cells = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    List<String> problems = new ArrayList<>();
    Map<String, String> names = modelNames(grid, fixed);
    List<Map<String, Object>> points = grid.points();
    for (int i = 0; i < points.size(); i++) {
      Map<String, Object> point = points.get(i);
      String model = (String) point.getOrDefault("model", fixed.model());
      ImageMaker maker;
      try {
        maker = ExecutorModels.get(loaders.forModel(model, runtime), null);
      } catch (RuntimeException e) {
        throw new ConfigurationException("model " + model + " cannot be loaded: " + e.getMessage(), e);
      }
      // The fixed options, then the model's defaults; the grid point's own values win over both.
      GenerationSettings d = new GenerationSettings(fixed.sampler(), fixed.steps() != null ? fixed.steps() : 0,
          fixed.guidance() != null ? fixed.guidance() : Double.NaN, fixed.guidanceRescale(),
          fixed.width() != null ? fixed.width() : 0, fixed.height() != null ? fixed.height() : 0, null).orDefaults(maker.defaults());
      Map<String, Object> options = new LinkedHashMap<>(fixed.samplerOptions());
      point.forEach((key, value) -> {
        if (key.startsWith(GridKey.OPTION_PREFIX)) {
          options.put(key.substring(GridKey.OPTION_PREFIX.length()), value);
        }
      });
      String sampler = (String) point.getOrDefault("sampler", d.sampler());
      int steps = (Integer) point.getOrDefault("steps", d.steps());
      double guidance = (Double) point.getOrDefault("guidance", d.guidanceScale());
      double rescale = (Double) point.getOrDefault("guidance_rescale", d.guidanceRescale());
      int width = d.width();
      int height = d.height();
      GenerationSettings settings = new GenerationSettings(sampler, steps, guidance, rescale, width, height, options);
      String where = "cell " + (i + 1) + " (" + describe(point, model) + ")";
      try {
        maker.validate(settings);
      } catch (IllegalArgumentException e) {
        problems.add(where + ": " + e.getMessage());
        continue;
      }
      String id = Cell.idOf(model, sampler, steps, guidance, rescale, options, width, height);
      if (!ids.add(id)) {
        continue; // two blocks of the grid name the same settings: one cell
      }
      cells.add(new Cell(id, model, names.get(model), sampler, steps, guidance, rescale, options, width, height,
          maker.unetEvaluationsPerImage(settings)));
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems.size() + " of " + points.size() + " cells cannot run; change the grid or its models:\n  "
          + String.join("\n  ", problems));
    }
    return cells;
  }

  private static String describe(Map<String, Object> point, String model) {
    StringBuilder text = new StringBuilder("model ").append(model);
    point.forEach((key, value) -> {
      if (!key.equals("model")) {
        text.append(", ").append(key).append(' ').append(value);
      }
    });
    return text.toString();
  }

  /** Short model names for tables: the last path element, or the whole URI where two models share it. */
  private static Map<String, String> modelNames(SweepGrid grid, SweepOptions.Fixed fixed) {
    Set<String> models = new LinkedHashSet<>();
    grid.points().forEach(p -> models.add((String) p.getOrDefault("model", fixed.model())));
    Map<String, String> names = new LinkedHashMap<>();
    for (String model : models) {
      String trimmed = model.replaceAll("/+$", "");
      names.put(model, trimmed.substring(trimmed.lastIndexOf('/') + 1));
    }
    if (new LinkedHashSet<>(names.values()).size() < names.size()) {
      names.replaceAll((model, name) -> model);
    }
    return names;
  }
}
