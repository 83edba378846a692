package org.diffusionbatch.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class PngEncoderTest {

  /** A gradient with a disc and random speckles, so every filter sees both smooth and rough rows. */
  static byte[] sampleImage(int width, int height, long seed) {
    Random random = new Random(seed);
    byte[] rgb = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = (y * width + x) * 3;
        boolean disc = (x - width / 2) * (x - width / 2) + (y - height / 3) * (y - height / 3) < width * height / 16;
        rgb[i] = (byte) (disc ? 230 : x * 255 / Math.max(1, width - 1));
        rgb[i + 1] = (byte) (y * 255 / Math.max(1, height - 1));
        rgb[i + 2] = (byte) (random.nextInt(8) == 0 ? random.nextInt(256) : 128);
      }
    }
    return rgb;
  }

  private static void assertDecodesTo(byte[] png, byte[] rgb, int width, int height) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertEquals(width, image.getWidth());
    assertEquals(height, image.getHeight());
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = (y * width + x) * 3;
        int expected = ((rgb[i] & 0xff) << 16) | ((rgb[i + 1] & 0xff) << 8) | (rgb[i + 2] & 0xff);
        int actual = image.getRGB(x, y) & 0xffffff;
        if (expected != actual) {
          throw new AssertionError("pixel (" + x + ", " + y + "): expected " + Integer.toHexString(expected) + ", decoded " + Integer.toHexString(actual));
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(PngEncoder.Filter.class)
  void everyFilterDecodesToTheSamePixelsWithImageIo(PngEncoder.Filter filter) throws IOException {
    for (int[] size : new int[][] {{1, 1}, {7, 3}, {64, 48}, {130, 97}}) {
      byte[] rgb = sampleImage(size[0], size[1], size[0]);
      assertDecodesTo(new PngEncoder(1, filter).encode(rgb, size[0], size[1]), rgb, size[0], size[1]);
    }
  }

  @Test
  void defaultEncoderRoundTripsA512SquareImage() throws IOException {
    byte[] rgb = sampleImage(512, 512, 42);
    assertDecodesTo(new PngEncoder().encode(rgb, 512, 512), rgb, 512, 512);
  }

  @Test
  void wrongBufferSizeIsRejectedWithBothSizes() {
    var e = assertThrows(IllegalArgumentException.class, () -> new PngEncoder().encode(new byte[10], 2, 2));
    assertEquals("RGB buffer holds 10 bytes, a 2x2 image needs 12", e.getMessage());
  }
}
