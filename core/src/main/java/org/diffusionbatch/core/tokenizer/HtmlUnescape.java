package org.diffusionbatch.core.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape}, which CLIP's {@code basic_clean} applies (twice) to every
 * prompt: HTML5 named references (including the legacy ones that need no semicolon, matched by
 * longest prefix), decimal and hex references, with Python's replacements for invalid numbers.
 *
 * <p>The tables come from Python's own {@code html} module, stored in {@code html-unescape.tsv}
 * beside this class, produced by:
 *
 * <pre>
 * import html, html.entities
 * for k in sorted(html.entities.html5): print("n", k, " ".join("%x" % ord(c) for c in html.entities.html5[k]), sep="\t")
 * for k in sorted(html._invalid_charrefs): print("r", "%x" % k, " ".join("%x" % ord(c) for c in html._invalid_charrefs[k]), sep="\t")
 * for k in sorted(html._invalid_codepoints): print("x", "%x" % k, "", sep="\t")
 * </pre>
 */
final class HtmlUnescape {
  private static final String TABLE = "html-unescape.tsv";
  // Python: r'&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)'
  private static final Pattern CHARREF = Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
  private static final BigInteger MAX_CODE_POINT = BigInteger.valueOf(Character.MAX_CODE_POINT);

  private static final Map<String, String> NAMED = new HashMap<>();
  private static final Map<Integer, String> REPLACED = new HashMap<>();
  private static final Set<Integer> DROPPED = new HashSet<>();

  static {
    try (InputStream in = HtmlUnescape.class.getResourceAsStream(TABLE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + TABLE + " is missing beside " + HtmlUnescape.class.getName() + "; the core jar is incomplete");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] cols = line.split("\t", -1);
        switch (cols[0]) {
          case "n" -> NAMED.put(cols[1], codePoints(cols[2]));
          case "r" -> REPLACED.put(Integer.parseInt(cols[1], 16), codePoints(cols[2]));
          case "x" -> DROPPED.add(Integer.parseInt(cols[1], 16));
          default -> throw new IllegalStateException("bad line in " + TABLE + ": " + line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + TABLE, e);
    }
  }

  private HtmlUnescape() {}

  static String unescape(String s) {
    if (s.indexOf('&') < 0) {
      return s;
    }
    Matcher m = CHARREF.matcher(s);
    StringBuilder out = new StringBuilder(s.length());
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String replace(String ref) {
    if (ref.charAt(0) == '#') {
      boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
      String digits = ref.substring(hex ? 2 : 1);
      if (digits.endsWith(";")) {
        digits = digits.substring(0, digits.length() - 1);
      }
      BigInteger big = new BigInteger(digits, hex ? 16 : 10);
      if (big.compareTo(MAX_CODE_POINT) > 0) {
        return "\uFFFD";
      }
      int num = big.intValue();
      String replaced = REPLACED.get(num);
      if (replaced != null) {
        return replaced;
      }
      if (num >= 0xD800 && num <= 0xDFFF) {
        return "\uFFFD";
      }
      return DROPPED.contains(num) ? "" : new String(Character.toChars(num));
    }
    String named = NAMED.get(ref);
    if (named != null) {
      return named;
    }
    // The longest prefix that is a (semicolon-less legacy) entity name, the rest kept as text.
    for (int x = ref.length() - 1; x > 1; x--) {
      named = NAMED.get(ref.substring(0, x));
      if (named != null) {
        return named + ref.substring(x);
      }
    }
    return "&" + ref;
  }

  private static String codePoints(String hexList) {
    StringBuilder sb = new StringBuilder();
    for (String cp : hexList.trim().split(" ")) {
      if (!cp.isEmpty()) {
        sb.appendCodePoint(Integer.parseInt(cp, 16));
      }
    }
    return sb.toString();
  }
}
