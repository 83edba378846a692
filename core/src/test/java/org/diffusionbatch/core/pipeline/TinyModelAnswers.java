package org.diffusionbatch.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The known answers of the bundled analytic model (models/tiny-sd/answers.json): each mixture
 * component's picture as 16x16 patch colours, to say which picture an image is.
 */
final class TinyModelAnswers {
  record Component(String name, int[][][] patchRgb) {}

  private final List<Component> components = new ArrayList<>();

  TinyModelAnswers(Path answersJson) throws IOException {
    JsonNode root = new ObjectMapper().readTree(answersJson.toFile());
    for (JsonNode c : root.get("components")) {
      JsonNode patches = c.get("patch_rgb_16x16");
      int[][][] rgb = new int[patches.size()][][];
      for (int y = 0; y < patches.size(); y++) {
        rgb[y] = new int[patches.get(y).size()][3];
        for (int x = 0; x < patches.get(y).size(); x++) {
          for (int ch = 0; ch < 3; ch++) {
            rgb[y][x][ch] = patches.get(y).get(x).get(ch).asInt();
          }
        }
      }
      components.add(new Component(c.get("name").asText(), rgb));
    }
  }

  /** Mean absolute difference (0-255) between an image's 8x8 patch means and a component's picture. */
  double distance(GeneratedImage image, Component c) {
    int grid = c.patchRgb().length;
    int patch = image.width() / grid;
    double sum = 0;
    for (int gy = 0; gy < grid; gy++) {
      for (int gx = 0; gx < grid; gx++) {
        for (int ch = 0; ch < 3; ch++) {
          double mean = 0;
          for (int y = 0; y < patch; y++) {
            for (int x = 0; x < patch; x++) {
              int px = ((gy * patch + y) * image.width() + gx * patch + x) * 3 + ch;
              mean += image.rgb()[px] & 0xff;
            }
          }
          sum += Math.abs(mean / (patch * patch) - c.patchRgb()[gy][gx][ch]);
        }
      }
    }
    return sum / (grid * grid * 3);
  }

  /** The component whose picture the image is closest to. */
  String nearest(GeneratedImage image) {
    Component best = null;
    double bestDistance = Double.MAX_VALUE;
    for (Component c : components) {
      double d = distance(image, c);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return best.name();
  }

  double distanceTo(GeneratedImage image, String name) {
    return components.stream().filter(c -> c.name().equals(name)).findFirst()
        .map(c -> distance(image, c)).orElseThrow();
  }
}
