package org.diffusionbatch.jobs.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** image.path is a safe file name for any prompt_id; the mapping is a contract, pinned by literal values. */
class ImagePathsTest {

  @Test
  void plainIdsKeepTheirNameAndUnsafeCharactersArePercentEncodedUtf8() {
    assertEquals("3f2a9c0d1e4b5a6c.png", ImagePaths.fileName("3f2a9c0d1e4b5a6c"));
    assertEquals("id-7_b.v2.png", ImagePaths.fileName("id-7_b.v2"));
    assertEquals("a%2Fb.png", ImagePaths.fileName("a/b"));
    assertEquals("%2E.%2Fx.png", ImagePaths.fileName("../x"));
    assertEquals("%2E%2E.png", ImagePaths.fileName(".."));
    assertEquals("x%2E.png", ImagePaths.fileName("x."));
    assertEquals("a%5Cb%3A%2A%3F%22%3C%3E%7C.png", ImagePaths.fileName("a\\b:*?\"<>|"));
    assertEquals("caf%C3%A9%20cr%C3%A8me.png", ImagePaths.fileName("café crème"));
    assertEquals("100%25.png", ImagePaths.fileName("100%"));
    assertEquals("tab%09nl%0A.png", ImagePaths.fileName("tab\tnl\n"));
  }

  @Test
  void windowsDeviceNamesAreEscaped() {
    assertEquals("%43ON.png", ImagePaths.fileName("CON"));
    assertEquals("%6Eul.png", ImagePaths.fileName("nul"));
    assertEquals("%4CPT1.x.png", ImagePaths.fileName("LPT1.x"));
    assertEquals("CONSOLE.png", ImagePaths.fileName("CONSOLE"));
  }

  @Test
  void longIdsAreCutAt183CharactersWithoutSplittingAnEscapeAndEndWithTheirSha256() {
    // Expected hashes from Python: hashlib.sha256(("p" * 300).encode()).hexdigest()[:16], and of "猫" * 100.
    assertEquals("p".repeat(183) + "-67f102b906240ff5.png", ImagePaths.fileName("p".repeat(300)));
    assertEquals("%E7%8C%AB".repeat(20) + "%E7-31d340fd2960d9f2.png", ImagePaths.fileName("猫".repeat(100)));
    assertEquals("q".repeat(200) + ".png", ImagePaths.fileName("q".repeat(200)));
    assertTrue(ImagePaths.fileName("x/".repeat(1000)).length() <= 204);
  }
}
