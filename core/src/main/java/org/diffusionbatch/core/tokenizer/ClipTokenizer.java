package org.diffusionbatch.core.tokenizer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenAI CLIP's tokenizer as Stable Diffusion pipelines call it ({@code padding="max_length",
 * truncation=True}): clean and lower-case the prompt, split it with CLIP's pattern (one digit per
 * token), byte-level BPE each piece, then {@code [BOS] + tokens[:75] + [EOS]} padded to 77.
 * Reads a model's {@code tokenizer/} folder: {@code vocab.json}, {@code merges.txt}, and when
 * present {@code tokenizer_config.json} / {@code special_tokens_map.json} for the pad, BOS, EOS
 * and unknown tokens and {@code model_max_length}. Immutable apart from a concurrent BPE cache:
 * one instance may serve many threads.
 */
public final class ClipTokenizer {
  private static final Logger LOG = LoggerFactory.getLogger(ClipTokenizer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  static final String START_OF_TEXT = "<|startoftext|>";
  static final String END_OF_TEXT = "<|endoftext|>";
  private static final int DEFAULT_MAX_LENGTH = 77;
  /** CLIP uses the first 48894 merges (49152 - 256 - 2), as transformers' CLIPTokenizer reads them. */
  private static final int MAX_MERGES = 49152 - 256 - 2;
  /** CLIP's split pattern; it is compiled case-insensitive like the original, which only matters for the contractions. */
  private static final Pattern SPLIT = Pattern.compile(
      "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
      Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

  private final Map<String, Integer> vocab;
  private final BytePairEncoder bpe;
  private final int maxLength;
  private final int bosId;
  private final int eosId;
  private final int padId;
  private final int unkId;

  ClipTokenizer(Map<String, Integer> vocab, Map<String, Integer> mergeRanks, SpecialTokens special, String source) {
    this.vocab = Map.copyOf(vocab);
    this.bpe = new BytePairEncoder(mergeRanks);
    this.maxLength = special.maxLength();
    this.bosId = idOf(special.bos(), "bos_token", source);
    this.eosId = idOf(special.eos(), "eos_token", source);
    this.padId = idOf(special.pad(), "pad_token", source);
    this.unkId = idOf(special.unk(), "unk_token", source);
    if (maxLength < 2) {
      throw new IllegalArgumentException("model_max_length " + maxLength + " in " + source + " leaves no room for BOS and EOS");
    }
  }

  /**
   * Loads the tokenizer of a model's {@code tokenizer/} folder (Optimum/diffusers layout).
   *
   * @throws UncheckedIOException naming the missing or unreadable file
   */
  public static ClipTokenizer fromDirectory(Path tokenizerDir) {
    Path vocabFile = tokenizerDir.resolve("vocab.json");
    Path mergesFile = tokenizerDir.resolve("merges.txt");
    try {
      Map<String, Integer> vocab = JSON.readValue(requireFile(vocabFile).toFile(), new TypeReference<HashMap<String, Integer>>() {});
      Map<String, Integer> ranks = readMerges(requireFile(mergesFile), vocab);
      SpecialTokens special = SpecialTokens.read(tokenizerDir);
      return new ClipTokenizer(vocab, ranks, special, tokenizerDir.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CLIP tokenizer in " + tokenizerDir + ": " + e.getMessage(), e);
    }
  }

  /** Tokenizes one prompt; logs a warning naming the dropped text when it is longer than the limit. */
  public ClipEncoding encode(String prompt) {
    List<String> tokens = tokenize(prompt);
    int keep = Math.min(tokens.size(), maxLength - 2);
    int[] ids = new int[maxLength];
    int[] mask = new int[maxLength];
    Arrays.fill(ids, padId);
    ids[0] = bosId;
    for (int i = 0; i < keep; i++) {
      ids[i + 1] = idOf(tokens.get(i));
    }
    ids[keep + 1] = eosId;
    Arrays.fill(mask, 0, keep + 2, 1);
    if (keep < tokens.size()) {
      LOG.warn("The following part of your input was truncated because CLIP can only handle sequences up to {} tokens"
              + " ({} of {} tokens dropped): {}",
          maxLength, tokens.size() - keep, tokens.size(), decode(tokens.subList(keep, tokens.size())));
    }
    return new ClipEncoding(ids, mask, tokens.size(), List.copyOf(tokens.subList(0, keep)));
  }

  /** The 77 ids of each prompt, in order. */
  public int[][] encodeBatch(List<String> prompts) {
    int[][] out = new int[prompts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = encode(prompts.get(i)).ids();
    }
    return out;
  }

  /** All BPE tokens of a prompt, untruncated, without BOS/EOS. */
  public List<String> tokenize(String prompt) {
    String text = ClipTextCleaner.clean(prompt);
    List<String> tokens = new ArrayList<>();
    Matcher m = SPLIT.matcher(text);
    while (m.find()) {
      String piece = m.group();
      if (piece.equals(START_OF_TEXT) || piece.equals(END_OF_TEXT)) {
        tokens.add(piece); // special tokens pass through BPE unchanged, as in CLIP's cache
      } else {
        tokens.addAll(Arrays.asList(bpe.encode(ByteLevelAlphabet.encode(piece))));
      }
    }
    return tokens;
  }

  /** Tokens back to text: end-of-word marks become spaces, as transformers' decode does. */
  public String decode(List<String> tokens) {
    return ByteLevelAlphabet.decode(String.join("", tokens)).replace(BytePairEncoder.END_OF_WORD, " ").strip();
  }

  public int maxLength() {
    return maxLength;
  }

  public int padId() {
    return padId;
  }

  public int bosId() {
    return bosId;
  }

  public int eosId() {
    return eosId;
  }

  private int idOf(String token) {
    // CLIP's vocabulary holds every single byte symbol, so this fallback only fires with a reduced
    // vocabulary; transformers' CLIPTokenizer uses the unknown token the same way.
    Integer id = vocab.get(token);
    return id != null ? id : unkId;
  }

  private int idOf(String token, String setting, String source) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IllegalArgumentException(setting + " \"" + token + "\" (from " + source
          + "/tokenizer_config.json or special_tokens_map.json, or CLIP's default) is not in " + source + "/vocab.json");
    }
    return id;
  }

  private static Path requireFile(Path file) throws NoSuchFileException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null,
          "missing; a CLIP tokenizer folder needs vocab.json and merges.txt (the model's tokenizer/ folder in the Optimum ONNX layout)");
    }
    return file;
  }

  /**
   * The merges with their ranks. An empty file, or a merge whose result is not in the vocabulary,
   * means the tokenizer folder is broken (every CLIP merge result is a vocabulary entry): refused,
   * since it would tokenize every prompt wrongly without any other sign.
   */
  private static Map<String, Integer> readMerges(Path mergesFile, Map<String, Integer> vocab) throws IOException {
    List<String> lines = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
    Map<String, Integer> ranks = new HashMap<>();
    int start = !lines.isEmpty() && lines.get(0).startsWith("#version") ? 1 : 0;
    for (int i = start; i < lines.size() && ranks.size() < MAX_MERGES; i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] pair = line.split("\\s+");
      if (pair.length != 2) {
        throw new IOException(mergesFile + " line " + (i + 1) + " is \"" + line + "\", expected two symbols separated by a space");
      }
      if (!vocab.containsKey(pair[0] + pair[1])) {
        throw new IllegalArgumentException(mergesFile + " line " + (i + 1) + " merges \"" + line + "\" into \"" + pair[0] + pair[1]
            + "\", which is not in vocab.json: merges.txt and vocab.json do not belong together; re-export the model's tokenizer/ folder");
      }
      ranks.putIfAbsent(pair[0] + " " + pair[1], ranks.size());
    }
    if (ranks.isEmpty()) {
      throw new IllegalArgumentException(mergesFile + " holds no merges (" + lines.size()
          + " lines); a CLIP tokenizer needs its BPE merges: re-export the model's tokenizer/ folder");
    }
    return ranks;
  }

  /** Special tokens and length from the optional config files, CLIP's defaults otherwise. */
  record SpecialTokens(String bos, String eos, String pad, String unk, int maxLength) {
    static SpecialTokens read(Path dir) throws IOException {
      Map<String, String> tokens = new HashMap<>(Map.of(
          "bos_token", START_OF_TEXT, "eos_token", END_OF_TEXT, "pad_token", END_OF_TEXT, "unk_token", END_OF_TEXT));
      int maxLength = DEFAULT_MAX_LENGTH;
      // special_tokens_map.json is applied after tokenizer_config.json, as transformers does.
      for (String name : List.of("tokenizer_config.json", "special_tokens_map.json")) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
          continue;
        }
        JsonNode root = JSON.readTree(file.toFile());
        for (String key : List.copyOf(tokens.keySet())) {
          String value = tokenText(root.get(key));
          if (value != null) {
            tokens.put(key, value);
          }
        }
        JsonNode length = root.get("model_max_length");
        // transformers writes a huge sentinel (1e30) when the length is unset; CLIP's is 77.
        if (length != null && length.isNumber() && length.asDouble() >= 2 && length.asDouble() <= 100_000) {
          maxLength = length.asInt();
        }
      }
      return new SpecialTokens(tokens.get("bos_token"), tokens.get("eos_token"), tokens.get("pad_token"), tokens.get("unk_token"), maxLength);
    }

    /** A token is stored either as a string or as an AddedToken object with "content". */
    private static String tokenText(JsonNode node) {
      if (node == null || node.isNull()) {
        return null;
      }
      if (node.isTextual()) {
        return node.asText();
      }
      JsonNode content = node.get("content");
      return content != null && content.isTextual() ? content.asText() : null;
    }
  }
}
