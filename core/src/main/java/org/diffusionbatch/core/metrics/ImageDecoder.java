package org.diffusionbatch.core.metrics;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * PNG and JPEG bytes to 8-bit RGB, as {@code PIL.Image.open(f).convert("RGB")} gives them to
 * pytorch-fid and clean-fid: colour samples as stored (no colour-space or gamma conversion), grey
 * replicated to R, G and B, alpha dropped (not blended), palettes looked up, 16-bit samples
 * reduced to their high byte.
 */
public final class ImageDecoder {
  static {
    ImageIO.setUseCache(false); // decode in memory, never through temp files
  }

  private ImageDecoder() {}

  /**
   * Decodes one image.
   *
   * @throws IllegalArgumentException when the bytes are not an image Java can decode (the message says why)
   */
  public static RgbImage decode(byte[] encoded) {
    BufferedImage image;
    try {
      image = ImageIO.read(new ByteArrayInputStream(encoded));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot decode image (" + encoded.length + " bytes): " + e.getMessage(), e);
    }
    if (image == null) {
      throw new IllegalArgumentException("not a PNG or JPEG image (" + encoded.length + " bytes, starting "
          + startOf(encoded) + ")");
    }
    return toRgb(image);
  }

  static RgbImage toRgb(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    byte[] rgb = new byte[3 * width * height];
    Raster raster = image.getRaster();
    int bands = raster.getNumBands();
    if (image.getColorModel() instanceof ComponentColorModel && bands >= 1 && bands <= 4) {
      // Raw samples: getRGB would convert grey (linear colour space in Java) through a gamma curve.
      boolean grey = bands <= 2;
      int shift = raster.getTransferType() == DataBuffer.TYPE_USHORT ? 8 : 0;
      int[] row = new int[width * bands];
      for (int y = 0; y < height; y++) {
        raster.getPixels(0, y, width, 1, row);
        for (int x = 0; x < width; x++) {
          int base = x * bands;
          int out = (y * width + x) * 3;
          for (int c = 0; c < 3; c++) {
            rgb[out + c] = (byte) (row[base + (grey ? 0 : c)] >> shift);
          }
        }
      }
    } else {
      int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
      for (int p = 0; p < argb.length; p++) {
        rgb[p * 3] = (byte) (argb[p] >> 16);
        rgb[p * 3 + 1] = (byte) (argb[p] >> 8);
        rgb[p * 3 + 2] = (byte) argb[p];
      }
    }
    return new RgbImage(width, height, rgb);
  }

  private static String startOf(byte[] bytes) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(8, bytes.length); i++) {
      hex.append(String.format("%02x", bytes[i]));
    }
    return hex.length() == 0 ? "(empty)" : hex.toString();
  }
}
