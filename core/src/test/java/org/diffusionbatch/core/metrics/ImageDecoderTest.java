package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** PNG bytes to RGB as PIL's convert("RGB") gives them. */
class ImageDecoderTest {
  private static byte[] png(BufferedImage image) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  @Test
  void greyIsReplicatedWithoutAGammaCurve() throws Exception {
    BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(0, 0, 0, 64);
    grey.getRaster().setSample(1, 0, 0, 200);
    // Java's getRGB would give 136 for 64 (linear grey to sRGB); PIL gives 64
    assertArrayEquals(new byte[] {64, 64, 64, (byte) 200, (byte) 200, (byte) 200}, ImageDecoder.decode(png(grey)).rgb());
  }

  @Test
  void alphaIsDroppedNotBlended() throws Exception {
    BufferedImage rgba = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
    rgba.setRGB(0, 0, (0x10 << 24) | (200 << 16) | (100 << 8) | 50);
    assertArrayEquals(new byte[] {(byte) 200, 100, 50}, ImageDecoder.decode(png(rgba)).rgb());
  }

  @Test
  void bytesThatAreNoImageAreRefusedSayingWhatTheyStartWith() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageDecoder.decode("not an image".getBytes()));
    assertTrue(e.getMessage().contains("6e6f7420616e2069"), e.getMessage());
  }
}
