package org.diffusionbatch.core.tokenizer;

import java.util.List;

/**
 * One prompt as CLIP's text encoder takes it.
 *
 * @param ids BOS, at most {@code maxLength - 2} tokens, EOS, then padding: always {@code maxLength} (77) ids
 * @param attentionMask 1 for BOS, the kept tokens and EOS; 0 for padding
 * @param untruncatedTokenCount tokens the prompt produced before truncation (BOS/EOS not counted)
 * @param tokens the kept BPE tokens, without BOS/EOS (e.g. {@code "red</w>"})
 */
public record ClipEncoding(int[] ids, int[] attentionMask, int untruncatedTokenCount, List<String> tokens) {
  /** True when the prompt lost tokens to the length limit. */
  public boolean truncated() {
    return untruncatedTokenCount > tokens.size();
  }
}
