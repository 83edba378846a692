package org.diffusionbatch.jobs.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * prompt_id and derived seeds are a contract across versions: a resumed run, or a run of a later
 * release, must make the same ids and seeds. The expected values were computed outside this code
 * (Python's hashlib; the first also with coreutils sha256sum) from the definitions in
 * docs/generate.md.
 */
class StableIdsTest {
  @Test
  void promptIdIsTheFirst16HexDigitsOfSha256OfFilePositionAndPrompt() {
    // printf '%s' 'prompts.txt:3:a red circle' | sha256sum -> 946b5f228fccf3a41ad0...
    assertEquals("946b5f228fccf3a4", StableIds.promptId("prompts.txt", 3, "a red circle"));
    assertEquals("a465bf1b79505751", StableIds.promptId("prompts.txt", 0, "a photograph of an astronaut riding a horse"));
    assertEquals("18289e2200f6e487", StableIds.promptId("batch/part-1.jsonl", 41, "café au lait, ünïcödé 🌸"), "UTF-8");
    assertEquals("4a61711a8254d55c", StableIds.promptId("prompts.txt", 3, ""));
    assertEquals("4a61711a8254d55c", StableIds.promptId("prompts.txt", 3, null), "a null prompt hashes as empty");
  }

  @Test
  void seedIsTheFirst8BytesOfSha256OfBaseSeedAndIdBigEndianMaskedTo63Bits() {
    assertEquals(6471724291801212807L, StableIds.seed(7, "abc"));
    assertEquals(7223388196977182816L, StableIds.seed(0, "0f1e2d3c4b5a6978"));
    assertEquals(2944804684400440491L, StableIds.seed(-1, "x"));
    assertEquals(1304480773301538449L, StableIds.seed(Long.MAX_VALUE, "id"));
    for (int i = 0; i < 1000; i++) {
      assertTrue(StableIds.seed(i, "id" + i) >= 0);
    }
  }
}
