package org.diffusionbatch.core.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2/CLIP's {@code bytes_to_unicode}: every byte gets a printable character so that BPE can
 * work on text without whitespace or control characters. Printable Latin-1 bytes map to
 * themselves; the other 68 bytes map, in byte order, to U+0100, U+0101, ...
 */
final class ByteLevelAlphabet {
  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[512];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char c = (char) (printable ? b : next++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  private ByteLevelAlphabet() {}

  /** The UTF-8 bytes of {@code text}, one alphabet character per byte. */
  static String encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    char[] out = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = BYTE_TO_CHAR[bytes[i] & 0xff];
    }
    return new String(out);
  }

  /** Inverse of {@link #encode}; malformed UTF-8 becomes U+FFFD, as Python's errors="replace". */
  static String decode(String alphabetText) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(alphabetText.length());
    for (int i = 0; i < alphabetText.length(); i++) {
      char c = alphabetText.charAt(i);
      int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
      if (b < 0) {
        throw new IllegalArgumentException("character U+" + Integer.toHexString(c) + " at " + i + " of \"" + alphabetText + "\" is not in CLIP's byte alphabet");
      }
      bytes.write(b);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
