package org.diffusionbatch.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.diffusionbatch.core.model.TextEmbeddings;
import org.diffusionbatch.core.model.TextEncoder;
import org.diffusionbatch.core.tokenizer.ClipTokenizer;
import org.junit.jupiter.api.Test;

/** Which texts reach the text encoder, and in what order the rows come back. */
class PromptEncoderTest {
  private static final int HIDDEN = 2;

  /** Encodes each row as (first non-BOS id, number of calls so far), and records every row it saw. */
  private static final class RecordingEncoder implements TextEncoder {
    final List<Integer> firstIds = new ArrayList<>();

    @Override
    public synchronized TextEmbeddings encode(int[][] ids) {
      float[] out = new float[ids.length * 77 * HIDDEN];
      for (int r = 0; r < ids.length; r++) {
        firstIds.add(ids[r][1]);
        Arrays.fill(out, r * 77 * HIDDEN, (r + 1) * 77 * HIDDEN, ids[r][1]);
      }
      return new TextEmbeddings(out, null);
    }
  }

  private final ClipTokenizer tokenizer =
      ClipTokenizer.fromDirectory(Path.of(System.getProperty("repo.root", "."), "models/tiny-sd/tokenizer"));

  private PromptEncoder single(TextEncoder model) {
    return new PromptEncoder(List.of(new PromptEncoder.Encoder(tokenizer, model, HIDDEN)), 77, 0);
  }

  private int firstId(String text) {
    return tokenizer.encode(text).ids()[1];
  }

  @Test
  void repeatedNegativePromptIsEncodedOnceAcrossBatches() {
    RecordingEncoder recording = new RecordingEncoder();
    PromptEncoder encoder = single(recording);
    encoder.encode(List.of("red", "blue"), List.of("", ""));
    encoder.encode(List.of("green"), List.of(""));
    // "" once, then red, blue, green: the second batch's negative came from the cache.
    assertEquals(List.of(firstId(""), firstId("red"), firstId("blue"), firstId("green")), recording.firstIds);
  }

  @Test
  void rowsComeBackUncondFirstThenCondInRequestOrder() {
    PromptEncoder encoder = single(new RecordingEncoder());
    float[] hidden = encoder.encode(List.of("red", "blue", "red"), List.of("square", "", "square")).tokens();
    int row = 77 * HIDDEN;
    float[] firstValues = new float[6];
    for (int r = 0; r < 6; r++) {
      firstValues[r] = hidden[r * row];
    }
    assertArrayEquals(new float[] {firstId("square"), firstId(""), firstId("square"), firstId("red"), firstId("blue"), firstId("red")},
        firstValues);
  }

  @Test
  void withoutGuidanceOnlyPromptsAreEncoded() {
    RecordingEncoder recording = new RecordingEncoder();
    PromptEncoder encoder = single(recording);
    float[] hidden = encoder.encode(List.of("red", "red"), null).tokens();
    assertEquals(2 * 77 * HIDDEN, hidden.length);
    assertEquals(List.of(firstId("red")), recording.firstIds);
  }
}
