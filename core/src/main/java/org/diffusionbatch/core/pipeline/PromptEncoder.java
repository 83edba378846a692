package org.diffusionbatch.core.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffusionbatch.core.model.TextEncoder;
import org.diffusionbatch.core.tokenizer.ClipTokenizer;

/**
 * Prompts to text-encoder hidden states. Each distinct text in a call is encoded once, and
 * negative prompts (usually the same few for a whole run) are kept in a small cache, so a
 * repeated negative prompt costs one text-encoder row per executor, not one per batch.
 */
final class PromptEncoder {
  private static final int NEGATIVE_CACHE_ENTRIES = 64;

  private final ClipTokenizer tokenizer;
  private final TextEncoder textEncoder;
  private final int rowSize;
  private final Map<String, float[]> negativeCache =
      Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
              return size() > NEGATIVE_CACHE_ENTRIES;
            }
          });

  PromptEncoder(ClipTokenizer tokenizer, TextEncoder textEncoder, int sequenceLength, int hiddenSize) {
    this.tokenizer = tokenizer;
    this.textEncoder = textEncoder;
    this.rowSize = sequenceLength * hiddenSize;
  }

  /** Elements of one encoded row ([77, D]). */
  int rowSize() {
    return rowSize;
  }

  /**
   * Hidden states for the UNet's encoder_hidden_states, rows in the order given: with guidance,
   * {@code negatives} then {@code prompts} (diffusers' cat([uncond, cond])); without, prompts only.
   */
  float[] encode(List<String> prompts, List<String> negatives) {
    Map<String, float[]> known = new HashMap<>();
    List<String> toEncode = new ArrayList<>();
    if (negatives != null) {
      for (String text : negatives) {
        float[] cached = negativeCache.get(text);
        if (cached != null) {
          known.put(text, cached);
        } else if (!toEncode.contains(text)) {
          toEncode.add(text);
        }
      }
    }
    for (String text : prompts) {
      if (!known.containsKey(text) && !toEncode.contains(text)) {
        toEncode.add(text);
      }
    }
    if (!toEncode.isEmpty()) {
      int[][] ids = new int[toEncode.size()][];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = tokenizer.encode(toEncode.get(i)).ids();
      }
      float[] hidden = textEncoder.encode(ids);
      for (int i = 0; i < ids.length; i++) {
        float[] row = new float[rowSize];
        System.arraycopy(hidden, i * rowSize, row, 0, rowSize);
        known.put(toEncode.get(i), row);
      }
    }
    if (negatives != null) {
      for (String text : negatives) {
        negativeCache.putIfAbsent(text, known.get(text));
      }
    }
    int rows = prompts.size() + (negatives == null ? 0 : negatives.size());
    float[] out = new float[rows * rowSize];
    int r = 0;
    if (negatives != null) {
      for (String text : negatives) {
        System.arraycopy(known.get(text), 0, out, (r++) * rowSize, rowSize);
      }
    }
    for (String text : prompts) {
      System.arraycopy(known.get(text), 0, out, (r++) * rowSize, rowSize);
    }
    return out;
  }
}
