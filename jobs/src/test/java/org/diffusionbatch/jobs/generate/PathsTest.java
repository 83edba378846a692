package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.parquet.example.data.Group;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local paths with a space or '#' are read and written as named; prompt_ids that are not file names get safe image paths. */
class PathsTest {
  @TempDir Path dir;

  @Test
  void promptsAndOutputPathsWithSpacesAndHashRoundTripAndImagePathsAreSafe() throws Exception {
    Path prompts = Files.createDirectories(dir.resolve("my prompts #1")).resolve("p q.jsonl");
    Files.writeString(prompts, "{\"prompt_id\": \"a/b\", \"prompt\": \"a red circle\"}\n"
        + "{\"prompt_id\": \"../x\", \"prompt\": \"a blue square\"}\n"
        + "{\"prompt\": \"a green triangle\"}\n");
    Path out = dir.resolve("my dir").resolve("out #1");
    Probe probe = Probe.run("--prompts", prompts.toString(), "--output", out.toString(), "--model", Runs.TINY_SD,
        "--master", "local[1]", "--steps", "1");
    assertEquals(GenerateCommand.EXIT_OK, probe.code(), probe.toString());

    assertTrue(Files.isDirectory(out), "written to the folder named as given");
    try (Stream<Path> all = Files.walk(dir)) {
      assertFalse(all.anyMatch(p -> p.getFileName().toString().contains("%")), "no percent-encoded names");
    }
    Map<String, Group> byPrompt = new HashMap<>();
    Outputs.rows(out).forEach(r -> byPrompt.put(r.getString("prompt", 0), r));
    assertEquals("a%2Fb.png", byPrompt.get("a red circle").getGroup("image", 0).getString("path", 0));
    assertEquals("%2E.%2Fx.png", byPrompt.get("a blue square").getGroup("image", 0).getString("path", 0));
    // A derived id names the file as it is called, relative to --prompts: "p q.jsonl", not "p%20q.jsonl".
    // Python: hashlib.sha256(b"p q.jsonl:2:a green triangle").hexdigest()[:16]
    String derived = "b8eee0d85cdd5f16";
    assertEquals(derived, byPrompt.get("a green triangle").getString("prompt_id", 0));
    assertEquals(derived + ".png", byPrompt.get("a green triangle").getGroup("image", 0).getString("path", 0));
    assertTrue(probe.out().contains("  images:   file://" + out), probe.out());
  }
}
