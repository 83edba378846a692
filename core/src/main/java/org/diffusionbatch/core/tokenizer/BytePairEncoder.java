package org.diffusionbatch.core.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's byte-pair encoding of one pre-split word (already in the byte alphabet): start from
 * single characters with {@code </w>} appended to the last, then repeatedly merge the adjacent
 * pair with the lowest merge rank until no ranked pair is left. Results are cached per word;
 * the cache is safe for concurrent use and is emptied when it grows past its bound so a long
 * stream of distinct prompts cannot exhaust memory.
 */
final class BytePairEncoder {
  static final String END_OF_WORD = "</w>";
  private static final int CACHE_LIMIT = 200_000;

  /** "first second" to rank (line order in merges.txt). */
  private final Map<String, Integer> ranks;
  private final Map<String, String[]> cache = new ConcurrentHashMap<>();

  BytePairEncoder(Map<String, Integer> ranks) {
    this.ranks = Map.copyOf(ranks);
  }

  /** The BPE pieces of {@code word}, the last ending in {@code </w>}. */
  String[] encode(String word) {
    String[] cached = cache.get(word);
    if (cached != null) {
      return cached;
    }
    String[] pieces = merge(word);
    if (cache.size() >= CACHE_LIMIT) {
      cache.clear();
    }
    cache.put(word, pieces);
    return pieces;
  }

  private String[] merge(String word) {
    List<String> symbols = new ArrayList<>(word.length());
    int i = 0;
    while (i < word.length()) {
      int next = word.offsetByCodePoints(i, 1);
      symbols.add(word.substring(i, next));
      i = next;
    }
    if (symbols.isEmpty()) {
      return new String[0];
    }
    symbols.set(symbols.size() - 1, symbols.get(symbols.size() - 1) + END_OF_WORD);

    while (symbols.size() > 1) {
      int bestRank = Integer.MAX_VALUE;
      String bestFirst = null;
      String bestSecond = null;
      for (int k = 0; k + 1 < symbols.size(); k++) {
        Integer rank = ranks.get(symbols.get(k) + " " + symbols.get(k + 1));
        if (rank != null && rank < bestRank) {
          bestRank = rank;
          bestFirst = symbols.get(k);
          bestSecond = symbols.get(k + 1);
        }
      }
      if (bestFirst == null) {
        break;
      }
      // Merge every occurrence of the pair, left to right, without overlaps.
      List<String> merged = new ArrayList<>(symbols.size());
      for (int k = 0; k < symbols.size(); k++) {
        if (k + 1 < symbols.size() && symbols.get(k).equals(bestFirst) && symbols.get(k + 1).equals(bestSecond)) {
          merged.add(bestFirst + bestSecond);
          k++;
        } else {
          merged.add(symbols.get(k));
        }
      }
      symbols = merged;
    }
    return symbols.toArray(new String[0]);
  }
}
