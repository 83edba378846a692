package org.diffusionbatch.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepGridTest {
  @TempDir Path dir;

  @Test
  void commandLineAxesGiveTheirProductWithTypedValues() {
    SweepGrid grid = SweepGrid.of(List.of("sampler=DDIM,euler", "steps=10,20", "guidance=1,7.5", "option.use_karras_sigmas=true"), null);
    List<Map<String, Object>> points = grid.points();
    assertEquals(8, points.size());
    assertEquals(Map.of("sampler", "ddim", "steps", 10, "guidance", 1.0, "option.use_karras_sigmas", true), points.get(0));
    assertEquals(Map.of("sampler", "euler", "steps", 20, "guidance", 7.5, "option.use_karras_sigmas", true), points.get(7));
  }

  @Test
  void anEmptyGridValueIsRejectedNamingTheKey() {
    IllegalArgumentException middle = assertThrows(IllegalArgumentException.class, () -> SweepGrid.of(List.of("steps=10,,20"), null));
    assertTrue(middle.getMessage().contains("'steps' has an empty value"), middle.getMessage());
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> SweepGrid.of(List.of("sampler="), null));
    assertTrue(none.getMessage().contains("'sampler' has an empty value"), none.getMessage());
  }

  @Test
  void anUnknownGridKeyIsRejectedListingTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SweepGrid.of(List.of("stpes=10"), null));
    assertTrue(e.getMessage().contains("unknown grid key 'stpes'"), e.getMessage());
    assertTrue(e.getMessage().contains("guidance_rescale"), e.getMessage());
  }

  @Test
  void badValuesAndRepeatsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> SweepGrid.of(List.of("steps=0"), null));
    assertThrows(IllegalArgumentException.class, () -> SweepGrid.of(List.of("steps=ten"), null));
    assertThrows(IllegalArgumentException.class, () -> SweepGrid.of(List.of("guidance_rescale=1.5"), null));
    assertThrows(IllegalArgumentException.class, () -> SweepGrid.of(List.of("steps=10,10"), null));
    assertThrows(IllegalArgumentException.class, () -> SweepGrid.of(List.of("steps=10", "steps=20"), null));
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> SweepGrid.of(List.of(), null));
    assertTrue(empty.getMessage().contains("the grid is empty"), empty.getMessage());
  }

  @Test
  void aYamlGridFileIsTheUnionOfItsBlocksWithCommandLineAxesOnEach() throws Exception {
    Path file = Files.writeString(dir.resolve("grid.yaml"), """
        grids:
          - {model: /m/tiny-sd, sampler: [ddim, euler], steps: [2, 4]}
          - {model: /m/tiny-lcm, sampler: lcm, steps: [1, 2, 4]}
        """);
    SweepGrid grid = SweepGrid.of(List.of("guidance=1.5,8"), file);
    List<Map<String, Object>> points = grid.points();
    assertEquals(2 * 2 * 2 + 3 * 2, points.size());
    assertEquals(Map.of("model", "/m/tiny-sd", "sampler", "ddim", "steps", 2, "guidance", 1.5), points.get(0));
    assertEquals(Map.of("model", "/m/tiny-lcm", "sampler", "lcm", "steps", 4, "guidance", 8.0), points.get(13));
  }

  @Test
  void aJsonGridFileMayBeOneMapping() throws Exception {
    Path file = Files.writeString(dir.resolve("grid.json"), "{\"sampler\": [\"dpmpp-2m\"], \"guidance-rescale\": [0, 0.7]}");
    List<Map<String, Object>> points = SweepGrid.of(List.of(), file).points();
    assertEquals(List.of(Map.of("sampler", "dpmpp-2m", "guidance_rescale", 0.0), Map.of("sampler", "dpmpp-2m", "guidance_rescale", 0.7)), points);
  }

  @Test
  void aGridFileAxisRepeatedOnTheCommandLineIsRejected() throws Exception {
    Path file = Files.writeString(dir.resolve("grid.yaml"), "steps: [2, 4]\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SweepGrid.of(List.of("steps=8"), file));
    assertTrue(e.getMessage().contains("'steps' twice"), e.getMessage());
  }
}
