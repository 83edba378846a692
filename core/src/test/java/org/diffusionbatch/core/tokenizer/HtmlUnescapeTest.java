package org.diffusionbatch.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Expected strings are Python 3.11's html.unescape output for the same inputs. */
class HtmlUnescapeTest {

  @Test
  void invalidAndSemicolonlessReferencesFollowPython() {
    assertEquals("&&x \u00acit; \u20ac \ufffd \ufffd \ufffd  &foo; <",
        HtmlUnescape.unescape("&amp;&ampx &notit; &#x80; &#0; &#xD800; &#99999999999; &#1; &foo; &lt"));
  }

  @Test
  void html5MultiCodePointAndAstralReferences() {
    assertEquals("\u2242\u0338 \u223e\u0333 \uD83D\uDE80 \u00c1 A",
        HtmlUnescape.unescape("&NotEqualTilde; &acE; &#128640; &Aacute &#X41;"));
  }

  @Test
  void oneCallUnescapesOneLevel() {
    assertEquals("a &amp; b", HtmlUnescape.unescape("a &amp;amp; b"));
  }

  @Test
  void whitespaceFoldingMatchesPythonIsspace() {
    assertEquals("a b c", ClipTextCleaner.foldWhitespace("\u00a0 a\u2003\u0085b\u001c\tc \u3000"));
    assertEquals("a\u200bb", ClipTextCleaner.foldWhitespace("a\u200bb")); // zero-width space is not whitespace in Python
  }
}
