package org.diffusionbatch.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The repository's tiny test model (models/tiny-sd, a 745-entry CLIP-format vocabulary). */
class TinyModelTokenizerTest {
  private static final Path TOKENIZER = Path.of(System.getProperty("repo.root", "."), "models", "tiny-sd", "tokenizer");

  @Test
  void redCircleEncodesToBosWordsEosAndEndOfTextPadding() {
    ClipTokenizer tokenizer = ClipTokenizer.fromDirectory(TOKENIZER);
    ClipEncoding e = tokenizer.encode("a red circle");
    assertEquals(List.of("a</w>", "red</w>", "circle</w>"), e.tokens());
    int[] expected = new int[77];
    Arrays.fill(expected, 744); // <|endoftext|>, the pad_token in tokenizer_config.json
    expected[0] = 743; // <|startoftext|>
    expected[1] = 320; // a</w>
    expected[2] = 513; // red</w>
    expected[3] = 529; // circle</w>
    assertArrayEquals(expected, e.ids());
    assertEquals(5, Arrays.stream(e.attentionMask()).sum());
    assertEquals(744, tokenizer.padId());
  }
}
