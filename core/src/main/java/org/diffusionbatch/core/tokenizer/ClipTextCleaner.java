package org.diffusionbatch.core.tokenizer;

import java.util.Locale;

/**
 * CLIP's prompt clean-up before splitting: {@code basic_clean} (HTML unescaped twice, stripped),
 * {@code whitespace_clean} (runs of whitespace become one space) and lower-casing. ftfy, which
 * OpenAI's tokenizer runs first, is not applied: it only repairs mojibake and is the identity on
 * well-formed text.
 */
final class ClipTextCleaner {
  private ClipTextCleaner() {}

  static String clean(String prompt) {
    String text = HtmlUnescape.unescape(HtmlUnescape.unescape(prompt));
    return foldWhitespace(text).toLowerCase(Locale.ROOT);
  }

  /** Python's {@code re.sub(r'\s+', ' ', text).strip()}. */
  static String foldWhitespace(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean pendingSpace = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (isPythonSpace(c)) {
        pendingSpace = out.length() > 0;
      } else {
        if (pendingSpace) {
          out.append(' ');
          pendingSpace = false;
        }
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Python's {@code str.isspace} for one character (all such characters are in the BMP). */
  static boolean isPythonSpace(char c) {
    // Java's isWhitespace omits no-break spaces, which Python counts; NEL (U+0085) is in neither Java set.
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
  }
}
