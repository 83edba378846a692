package org.diffusionbatch.core.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffusionbatch.core.model.TextEmbeddings;
import org.diffusionbatch.core.model.TextEncoder;
import org.diffusionbatch.core.tokenizer.ClipTokenizer;

/**
 * Prompts to the UNet's text conditioning, as diffusers' encode_prompt: each text encoder (one for
 * Stable Diffusion, two for SDXL) encodes the text with its own tokenizer; the per-token embeddings
 * are concatenated along the last axis (SDXL: 768 + 1280 = 2048) and the pooled embedding is the
 * one encoder that gives it (SDXL's text_encoder_2). Each distinct text in a call is encoded once,
 * and negative prompts (usually the same few for a whole run) are kept in a small cache, so a
 * repeated negative prompt costs one text-encoder row per executor, not one per batch.
 */
final class PromptEncoder {
  private static final int NEGATIVE_CACHE_ENTRIES = 64;

  /** One text encoder with its tokenizer; {@code width} is its per-token embedding width. */
  record Encoder(ClipTokenizer tokenizer, TextEncoder model, int width) {}

  /**
   * Encoded rows in order.
   *
   * @param tokens rows x [77, D] per-token embeddings
   * @param pooled rows x [P] pooled embeddings, or null when no encoder gives one
   */
  record Encoded(float[] tokens, float[] pooled) {}

  private record Row(float[] tokens, float[] pooled) {}

  private final List<Encoder> encoders;
  private final int sequenceLength;
  private final int width;
  private final int pooledSize;
  private final Map<String, Row> negativeCache =
      Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Row> eldest) {
              return size() > NEGATIVE_CACHE_ENTRIES;
            }
          });

  /** @param pooledSize width of the pooled embedding, 0 when no encoder gives one */
  PromptEncoder(List<Encoder> encoders, int sequenceLength, int pooledSize) {
    this.encoders = List.copyOf(encoders);
    this.sequenceLength = sequenceLength;
    this.width = encoders.stream().mapToInt(Encoder::width).sum();
    this.pooledSize = pooledSize;
  }

  /** Elements of one encoded row ([77, D]). */
  int rowSize() {
    return sequenceLength * width;
  }

  /**
   * Embeddings rows in the order given: with guidance, {@code negatives} then {@code prompts}
   * (diffusers' cat([uncond, cond])); without ({@code negatives} null), prompts only. A null
   * negative is a row of zeros (SDXL's force_zeros_for_empty_prompt).
   */
  Encoded encode(List<String> prompts, List<String> negatives) {
    Map<String, Row> known = new HashMap<>();
    List<String> toEncode = new ArrayList<>();
    if (negatives != null) {
      for (String text : negatives) {
        if (text == null) {
          continue;
        }
        Row cached = negativeCache.get(text);
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
      encodeAll(toEncode, known);
    }
    if (negatives != null) {
      for (String text : negatives) {
        if (text != null) {
          negativeCache.putIfAbsent(text, known.get(text));
        }
      }
    }
    List<String> order = new ArrayList<>(negatives == null ? List.of() : negatives);
    order.addAll(prompts);
    float[] tokens = new float[order.size() * rowSize()];
    float[] pooled = pooledSize > 0 ? new float[order.size() * pooledSize] : null;
    for (int r = 0; r < order.size(); r++) {
      String text = order.get(r);
      if (text == null) {
        continue; // zeros
      }
      Row row = known.get(text);
      System.arraycopy(row.tokens(), 0, tokens, r * rowSize(), rowSize());
      if (pooled != null) {
        System.arraycopy(row.pooled(), 0, pooled, r * pooledSize, pooledSize);
      }
    }
    return new Encoded(tokens, pooled);
  }

  /** Runs every encoder over the texts and interleaves their per-token widths into one row per text. */
  private void encodeAll(List<String> texts, Map<String, Row> into) {
    int n = texts.size();
    float[][] tokens = new float[n][rowSize()];
    float[][] pooled = new float[n][];
    int offset = 0;
    for (Encoder e : encoders) {
      int[][] ids = new int[n][];
      for (int i = 0; i < n; i++) {
        ids[i] = e.tokenizer().encode(texts.get(i)).ids();
      }
      TextEmbeddings out = e.model().encode(ids);
      for (int i = 0; i < n; i++) {
        for (int t = 0; t < sequenceLength; t++) {
          System.arraycopy(out.tokens(), (i * sequenceLength + t) * e.width(), tokens[i], t * width + offset, e.width());
        }
        if (out.pooled() != null && pooledSize > 0) {
          pooled[i] = new float[pooledSize];
          System.arraycopy(out.pooled(), i * pooledSize, pooled[i], 0, pooledSize);
        }
      }
      offset += e.width();
    }
    for (int i = 0; i < n; i++) {
      if (pooledSize > 0 && pooled[i] == null) {
        throw new IllegalStateException("no text encoder gave a pooled embedding of width " + pooledSize);
      }
      into.put(texts.get(i), new Row(tokens[i], pooled[i]));
    }
  }
}
