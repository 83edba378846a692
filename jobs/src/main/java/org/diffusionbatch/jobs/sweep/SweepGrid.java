package org.diffusionbatch.jobs.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The grid a sweep runs: one or more blocks, each the product of its axes; the sweep's cells are
 * the union of the blocks' products (so "four samplers on one model, LCM on the LCM model" is two
 * blocks). {@code --grid} axes apply to every block.
 *
 * <p>A grid file ({@code --grid-file}, YAML or JSON) is one mapping of key to values (a list, or one
 * value), or a list of such mappings, or a mapping with a {@code grids:} list:
 *
 * <pre>
 * grids:
 *   - {model: models/tiny-sd, sampler: [ddim, euler, dpmpp-2m], steps: [2, 5, 10, 20, 50]}
 *   - {model: models/tiny-lcm, sampler: lcm, steps: [1, 2, 4, 8]}
 * </pre>
 */
record SweepGrid(List<List<GridAxis>> blocks) {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The grid of the command line's {@code --grid} axes and the optional grid file. */
  static SweepGrid of(List<String> gridArgs, Path gridFile) {
    List<GridAxis> common = new ArrayList<>();
    for (String spec : gridArgs) {
      common.add(GridAxis.parse(spec));
    }
    requireDistinct(common, "--grid");
    List<List<GridAxis>> blocks = new ArrayList<>();
    if (gridFile == null) {
      blocks.add(common);
    } else {
      for (List<GridAxis> block : readFile(gridFile)) {
        List<GridAxis> all = new ArrayList<>(block);
        all.addAll(common);
        requireDistinct(all, "--grid-file " + gridFile + " and --grid");
        blocks.add(all);
      }
    }
    if (blocks.stream().allMatch(List::isEmpty)) {
      throw new IllegalArgumentException("the grid is empty; give --grid KEY=V1,V2 (e.g. --grid sampler=ddim,euler --grid steps=10,20) or --grid-file FILE");
    }
    return new SweepGrid(blocks);
  }

  /** The names of the axes any block varies, in first-seen order. */
  Set<String> variedNames() {
    Set<String> names = new LinkedHashSet<>();
    blocks.forEach(b -> b.forEach(a -> names.add(a.name())));
    return names;
  }

  /** Each block's product, blocks in order; within a block the last axis varies fastest. */
  List<Map<String, Object>> points() {
    List<Map<String, Object>> points = new ArrayList<>();
    for (List<GridAxis> block : blocks) {
      List<Map<String, Object>> partial = new ArrayList<>();
      partial.add(new LinkedHashMap<>());
      for (GridAxis axis : block) {
        List<Map<String, Object>> next = new ArrayList<>();
        for (Map<String, Object> point : partial) {
          for (Object value : axis.values()) {
            Map<String, Object> extended = new LinkedHashMap<>(point);
            extended.put(axis.name(), value);
            next.add(extended);
          }
        }
        partial = next;
      }
      points.addAll(partial);
    }
    return points;
  }

  private static void requireDistinct(List<GridAxis> axes, String where) {
    Set<String> seen = new LinkedHashSet<>();
    for (GridAxis axis : axes) {
      if (!seen.add(axis.name())) {
        throw new IllegalArgumentException(where + " gives '" + axis.name() + "' twice; give each key once with all its values");
      }
    }
  }

  private static List<List<GridAxis>> readFile(Path file) {
    Object root;
    try {
      root = YAML.readValue(Files.readAllBytes(file), Object.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("--grid-file " + file + " cannot be read as YAML or JSON: " + e.getMessage());
    }
    List<?> mappings;
    if (root instanceof Map<?, ?> map && map.size() == 1 && map.containsKey("grids")) {
      if (!(map.get("grids") instanceof List<?> list)) {
        throw new IllegalArgumentException("--grid-file " + file + ": 'grids' must be a list of mappings");
      }
      mappings = list;
    } else if (root instanceof Map<?, ?>) {
      mappings = List.of(root);
    } else if (root instanceof List<?> list) {
      mappings = list;
    } else {
      throw new IllegalArgumentException("--grid-file " + file + " holds no grid; write a mapping such as {sampler: [ddim, euler], steps: [10, 20]}");
    }
    if (mappings.isEmpty()) {
      throw new IllegalArgumentException("--grid-file " + file + " lists no grids");
    }
    List<List<GridAxis>> blocks = new ArrayList<>();
    for (int i = 0; i < mappings.size(); i++) {
      String where = "--grid-file " + file + (mappings.size() > 1 ? " (grid " + (i + 1) + ")" : "");
      if (!(mappings.get(i) instanceof Map<?, ?> mapping) || mapping.isEmpty()) {
        throw new IllegalArgumentException(where + " is not a mapping of keys to values");
      }
      List<GridAxis> block = new ArrayList<>();
      for (Map.Entry<?, ?> entry : mapping.entrySet()) {
        Object value = entry.getValue();
        List<?> values = value instanceof List<?> list ? list : java.util.Collections.singletonList(value);
        block.add(GridAxis.of(String.valueOf(entry.getKey()), values, where));
      }
      requireDistinct(block, where);
      blocks.add(block);
    }
    return blocks;
  }
}
