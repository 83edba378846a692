package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Properties of both resizers; their numbers are checked against PIL and torch in MetricsConformanceTest. */
class ResizeTest {
  private static byte[] constant(int h, int w, int r, int g, int b) {
    byte[] rgb = new byte[h * w * 3];
    for (int i = 0; i < h * w; i++) {
      rgb[i * 3] = (byte) r;
      rgb[i * 3 + 1] = (byte) g;
      rgb[i * 3 + 2] = (byte) b;
    }
    return rgb;
  }

  @Test
  void aConstantImageStaysConstantInEachChannelPlane() {
    byte[] rgb = constant(37, 53, 10, 200, 255);
    for (float[] out : new float[][] {new CleanResize(29).resize(rgb, 37, 53),
        new CleanResize(101).resize(rgb, 37, 53), new TorchBilinearResize(29).resize(rgb, 37, 53)}) {
      int plane = out.length / 3;
      float[] expected = {10, 200, 255};
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < plane; i++) {
          assertEquals(expected[c], out[c * plane + i], 1e-3, "channel " + c);
        }
      }
    }
  }

  @Test
  void theSameSizeIsACopy() {
    byte[] rgb = new byte[5 * 5 * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i * 37);
    }
    float[] clean = new CleanResize(5).resize(rgb, 5, 5);
    float[] torch = new TorchBilinearResize(5).resize(rgb, 5, 5);
    for (int c = 0; c < 3; c++) {
      for (int p = 0; p < 25; p++) {
        assertEquals(rgb[p * 3 + c] & 0xff, clean[c * 25 + p]);
        assertEquals(rgb[p * 3 + c] & 0xff, torch[c * 25 + p]);
      }
    }
  }

  @Test
  void resizeIntoWritesOneImageOfABatch() {
    byte[] rgb = constant(8, 8, 1, 2, 3);
    float[] batch = new float[2 * 3 * 4 * 4];
    Arrays.fill(batch, -1);
    new CleanResize(4).resizeInto(rgb, 8, 8, batch, 48);
    assertEquals(-1f, batch[47]);
    assertEquals(1f, batch[48], 1e-6);
    assertEquals(3f, batch[95], 1e-6);
  }

  @Test
  void aWrongByteCountIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CleanResize().resize(new byte[10], 2, 2));
    assertTrue(e.getMessage().contains("needs 12 bytes, got 10"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new TorchBilinearResize(0));
  }
}
