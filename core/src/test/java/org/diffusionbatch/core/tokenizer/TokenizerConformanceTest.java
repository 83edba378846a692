package org.diffusionbatch.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Replays prompts tokenized by OpenAI CLIP's reference tokenizer (see
 * /work/shared/reference/README.md, "tokenizer"): ids, attention mask, untruncated count and BPE
 * tokens must all match. Reads {@code ../shared/reference/tokenizer} under {@code repo.root} and,
 * when set, the directory named by the system property {@code conformance.tokenizer} (holding
 * vocab.json, merges.txt and clip_ids_*.json). The vocabulary is not copied into the repository,
 * so without those folders the test is skipped with the reason printed.
 */
class TokenizerConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void referencePromptsTokenizeExactlyAsOpenAiClip() throws IOException {
    List<Path> dirs = new ArrayList<>();
    String external = System.getProperty("conformance.tokenizer");
    if (external != null) {
      Path dir = Paths.get(external);
      assertFalse(caseFiles(dir).isEmpty(), "-Dconformance.tokenizer=" + external + " names a directory with no clip_ids_*.json cases");
      dirs.add(dir);
    }
    Path shared = Paths.get(System.getProperty("repo.root", "."), "..", "shared", "reference", "tokenizer").normalize();
    if (Files.isDirectory(shared) && !dirs.contains(shared)) {
      dirs.add(shared);
    } else if (!Files.isDirectory(shared)) {
      System.out.println("tokenizer conformance: " + shared + " absent (CLIP's vocabulary is not in the repository)");
    }
    assumeTrue(!dirs.isEmpty(), "no tokenizer reference: " + shared + " absent and -Dconformance.tokenizer unset");

    int cases = 0;
    List<String> mismatches = new ArrayList<>();
    for (Path dir : dirs) {
      ClipTokenizer tokenizer = ClipTokenizer.fromDirectory(dir);
      for (Path file : caseFiles(dir)) {
        int before = cases;
        for (JsonNode c : JSON.readTree(file.toFile()).get("cases")) {
          String problem = compare(tokenizer, c);
          if (problem != null) {
            mismatches.add(file.getFileName() + ": " + problem);
          }
          cases++;
        }
        System.out.println("tokenizer conformance: " + file + ": " + (cases - before) + " cases");
      }
    }
    System.out.println("tokenizer conformance: " + cases + " cases");
    assertTrue(cases > 0, "tokenizer reference folders " + dirs + " hold no cases");
    if (!mismatches.isEmpty()) {
      fail(mismatches.size() + " of " + cases + " prompts differ from CLIP:\n" + String.join("\n", mismatches));
    }
  }

  private static String compare(ClipTokenizer tokenizer, JsonNode c) {
    String prompt = c.get("prompt").asText();
    ClipEncoding got = tokenizer.encode(prompt);
    int[] ids = JSON.convertValue(c.get("input_ids"), int[].class);
    int[] mask = JSON.convertValue(c.get("attention_mask"), int[].class);
    List<String> tokens = Arrays.asList(JSON.convertValue(c.get("tokens"), String[].class));
    int count = c.get("untruncated_token_count").asInt();
    if (!Arrays.equals(ids, got.ids())) {
      return "\"" + prompt + "\": ids " + Arrays.toString(got.ids()) + " != " + Arrays.toString(ids) + " (tokens " + got.tokens() + " vs " + tokens + ")";
    }
    if (!Arrays.equals(mask, got.attentionMask())) {
      return "\"" + prompt + "\": attention mask " + Arrays.toString(got.attentionMask()) + " != " + Arrays.toString(mask);
    }
    if (count != got.untruncatedTokenCount()) {
      return "\"" + prompt + "\": untruncated count " + got.untruncatedTokenCount() + " != " + count;
    }
    if (!tokens.equals(got.tokens())) {
      return "\"" + prompt + "\": tokens " + got.tokens() + " != " + tokens;
    }
    return null;
  }

  private static List<Path> caseFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith("clip_ids_") && n.endsWith(".json");
      }).sorted().toList();
    }
  }
}
