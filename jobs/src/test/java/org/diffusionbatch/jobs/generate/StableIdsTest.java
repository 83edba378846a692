package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class StableIdsTest {
  @Test
  void promptIdIsTheSha256PrefixOfFilePositionAndPrompt() {
    String id = StableIds.promptId("prompts.txt", 3, "a red circle");
    assertEquals(16, id.length());
    assertEquals(java.util.HexFormat.of().formatHex(StableIds.sha256("prompts.txt:3:a red circle"), 0, 8), id);
    assertEquals(id, StableIds.promptId("prompts.txt", 3, "a red circle"));
    assertNotEquals(id, StableIds.promptId("prompts.txt", 4, "a red circle"), "same prompt on another line is another row");
    assertNotEquals(id, StableIds.promptId("other.txt", 3, "a red circle"));
  }

  @Test
  void seedIsTheFirst8BytesOfSha256OfBaseSeedAndIdMaskedTo63Bits() {
    long expected = ByteBuffer.wrap(StableIds.sha256("7:abc")).getLong() & Long.MAX_VALUE;
    assertEquals(expected, StableIds.seed(7, "abc"));
    assertNotEquals(StableIds.seed(7, "abc"), StableIds.seed(8, "abc"));
    for (int i = 0; i < 1000; i++) {
      assertTrue(StableIds.seed(i, "id" + i) >= 0);
    }
  }
}
