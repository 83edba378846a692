package org.diffusionbatch.jobs.dataset;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.diffusionbatch.jobs.prompts.StableIds;

/**
 * The {@code image.path} of a row: {@code <name>.png}, where the name is the prompt_id with every
 * UTF-8 byte outside {@code A-Z a-z 0-9 - _ .} written as {@code %XX} (upper-case hex), a leading or
 * trailing {@code .} escaped too (no hidden files, no {@code .}/{@code ..}, nothing Windows strips), and
 * a Windows device name (CON, NUL, COM1, ...) escaped in its first letter. Names longer than 200
 * characters keep their first 183 (never splitting an escape) and end with {@code -} and the first 16
 * hex digits of sha-256(prompt_id). Ids made only of safe characters keep their name, and without the
 * cut the mapping can be undone (percent-decoding), so two ids never share a path.
 */
final class ImagePaths {
  private ImagePaths() {}

  static final int MAX_NAME = 200;
  private static final int KEEP_WHEN_CUT = MAX_NAME - 17;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final Pattern WINDOWS_DEVICE = Pattern.compile("(?i)(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\\..*)?");

  static String fileName(String promptId) {
    byte[] utf8 = promptId.getBytes(StandardCharsets.UTF_8);
    StringBuilder name = new StringBuilder(utf8.length + 8);
    for (int i = 0; i < utf8.length; i++) {
      int b = utf8[i] & 0xff;
      boolean safe = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' || b == '_'
          || (b == '.' && i > 0 && i < utf8.length - 1);
      if (safe) {
        name.append((char) b);
      } else {
        escape(name, b);
      }
    }
    if (WINDOWS_DEVICE.matcher(name).matches()) {
      char first = name.charAt(0);
      name.deleteCharAt(0);
      StringBuilder escaped = new StringBuilder();
      escape(escaped, first);
      name.insert(0, escaped);
    }
    if (name.length() > MAX_NAME) {
      int cut = KEEP_WHEN_CUT;
      if (name.charAt(cut - 1) == '%') {
        cut -= 1;
      } else if (name.charAt(cut - 2) == '%') {
        cut -= 2;
      }
      name.setLength(cut);
      name.append('-').append(StableIds.sha256Hex(promptId.getBytes(StandardCharsets.UTF_8)), 0, 16);
    }
    return name.append(".png").toString();
  }

  private static void escape(StringBuilder out, int b) {
    out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
  }
}
