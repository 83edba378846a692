package org.diffusionbatch.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hand-made CLIP-format vocabulary: every byte symbol (plain and with </w>) plus a few merges. */
class ClipTokenizerTest {
  private static final List<String> MERGES = List.of(
      "r e", "re d</w>", "c i", "ci r", "cir c", "circ l", "circl e</w>", "b l", "bl u", "blu e</w>");

  @TempDir Path dir;
  private Map<String, Integer> vocab;

  private ClipTokenizer write(String tokenizerConfig) throws IOException {
    vocab = new LinkedHashMap<>();
    List<String> symbols = byteSymbols();
    for (String symbol : symbols) {
      vocab.put(symbol, vocab.size());
    }
    for (String symbol : symbols) {
      vocab.put(symbol + "</w>", vocab.size());
    }
    for (String merge : MERGES) {
      vocab.put(merge.replace(" ", ""), vocab.size());
    }
    vocab.put("<|startoftext|>", vocab.size());
    vocab.put("<|endoftext|>", vocab.size());
    new ObjectMapper().writeValue(dir.resolve("vocab.json").toFile(), vocab);
    Files.write(dir.resolve("merges.txt"), concat(List.of("#version: 0.2"), MERGES));
    if (tokenizerConfig != null) {
      Files.writeString(dir.resolve("tokenizer_config.json"), tokenizerConfig);
    }
    return ClipTokenizer.fromDirectory(dir);
  }

  /**
   * bytes_to_unicode written out independently, in CLIP's vocabulary order: printable Latin-1
   * bytes first (mapping to themselves, so "!" gets id 0), then the other bytes as U+0100 on.
   */
  private static List<String> byteSymbols() {
    List<String> printable = new ArrayList<>();
    List<String> others = new ArrayList<>();
    int next = 256;
    for (int b = 0; b < 256; b++) {
      if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
        printable.add(String.valueOf((char) b));
      } else {
        others.add(String.valueOf((char) next++));
      }
    }
    return concat(printable, others);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  @Test
  void knownWordsMergeToWholeTokensBetweenBosAndEosThenPadding() throws IOException {
    ClipTokenizer tok = write(null);
    ClipEncoding e = tok.encode("a Red  circle");
    assertEquals(List.of("a</w>", "red</w>", "circle</w>"), e.tokens());
    int bos = vocab.get("<|startoftext|>");
    int eos = vocab.get("<|endoftext|>");
    assertArrayEquals(new int[] {bos, vocab.get("a</w>"), vocab.get("red</w>"), vocab.get("circle</w>"), eos, eos},
        java.util.Arrays.copyOf(e.ids(), 6));
    assertEquals(77, e.ids().length);
    assertEquals(5, java.util.Arrays.stream(e.attentionMask()).sum());
    assertEquals(3, e.untruncatedTokenCount());
  }

  @Test
  void unknownWordsFallBackToBytePieces() throws IOException {
    ClipTokenizer tok = write(null);
    assertEquals(List.of("x", "y", "z</w>"), tok.encode("xyz").tokens());
    // A non-ASCII letter becomes its UTF-8 bytes' symbols.
    assertEquals(List.of("Ã", "©</w>"), tok.encode("é").tokens());
  }

  @Test
  void digitsSplitOneTokenEach() throws IOException {
    ClipTokenizer tok = write(null);
    // "blu" merges only to "bl" + "u</w>": the "bl u" merge does not apply to the end-of-word symbol.
    assertEquals(List.of("1</w>", "2</w>", "3</w>", "bl", "u</w>"), tok.encode("123blu").tokens());
  }

  @Test
  void longPromptIsTruncatedKeepingEosAtPosition76() throws IOException {
    ClipTokenizer tok = write(null);
    ClipEncoding e = tok.encode("red ".repeat(80));
    assertEquals(80, e.untruncatedTokenCount());
    assertEquals(75, e.tokens().size());
    assertTrue(e.truncated());
    assertEquals(vocab.get("<|endoftext|>"), e.ids()[76]);
    assertEquals(vocab.get("red</w>"), e.ids()[75]);
    assertEquals(77, java.util.Arrays.stream(e.attentionMask()).sum());
    // The warning names the dropped text, decoded as transformers does.
    assertEquals("red red red red red", tok.decode(tok.tokenize("red ".repeat(80)).subList(75, 80)));
  }

  @Test
  void padTokenComesFromTheTokenizerConfig() throws IOException {
    ClipTokenizer tok = write("{\"pad_token\": \"!\", \"model_max_length\": 77}");
    ClipEncoding e = tok.encode("blue");
    assertEquals(vocab.get("!"), tok.padId());
    assertEquals(0, e.ids()[76]);
    assertEquals(vocab.get("<|endoftext|>"), e.ids()[2]);
  }

  @Test
  void padTokenAsAddedTokenObjectIsRead() throws IOException {
    ClipTokenizer tok = write("{\"pad_token\": {\"content\": \"<|endoftext|>\", \"lstrip\": false}, \"model_max_length\": 1e30}");
    assertEquals(vocab.get("<|endoftext|>"), tok.padId());
    assertEquals(77, tok.maxLength());
  }

  @Test
  void htmlEntitiesAreUnescapedLikeClipsBasicClean() throws IOException {
    ClipTokenizer tok = write(null);
    assertEquals(List.of("red</w>", "&</w>", "blue</w>"), tok.encode("red &amp;amp; blue").tokens());
    assertEquals(List.of("<</w>", "blue</w>"), tok.encode("&lt blue").tokens());
  }

  @Test
  void missingMergesFileIsNamedInTheError() throws IOException {
    write(null);
    Files.delete(dir.resolve("merges.txt"));
    var e = assertThrows(UncheckedIOException.class, () -> ClipTokenizer.fromDirectory(dir));
    assertTrue(e.getMessage().contains("merges.txt"), e.getMessage());
  }

  @Test
  void padTokenMissingFromVocabIsReported() throws IOException {
    var e = assertThrows(IllegalArgumentException.class, () -> write("{\"pad_token\": \"<pad>\"}"));
    assertTrue(e.getMessage().contains("pad_token \"<pad>\""), e.getMessage());
  }

  @Test
  void concurrentEncodingGivesTheSameIds() throws Exception {
    ClipTokenizer tok = write(null);
    List<String> prompts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      prompts.add("red circle " + i + " blue xyz" + (i % 7));
    }
    int[][] serial = tok.encodeBatch(prompts);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<int[][]>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        runs.add(pool.submit(() -> tok.encodeBatch(prompts)));
      }
      for (Future<int[][]> run : runs) {
        assertTrue(java.util.Arrays.deepEquals(serial, run.get()));
      }
    } finally {
      pool.shutdownNow();
    }
    assertFalse(serial.length == 0);
  }

  @Test
  void emptyMergesFileIsRefusedNamingIt() throws IOException {
    write(null);
    Files.write(dir.resolve("merges.txt"), List.of("#version: 0.2"));
    var e = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.fromDirectory(dir));
    assertTrue(e.getMessage().contains("merges.txt") && e.getMessage().contains("no merges"), e.getMessage());
  }

  @Test
  void aMergeWhoseTokenIsNotInTheVocabularyIsRefusedNamingTheLine() throws IOException {
    write(null);
    Files.write(dir.resolve("merges.txt"), List.of("#version: 0.2", "r e", "x q"));
    var e = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.fromDirectory(dir));
    assertTrue(e.getMessage().contains("merges.txt line 3") && e.getMessage().contains("\"xq\""), e.getMessage());
  }
}
