package org.diffusionbatch.bench.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.diffusionbatch.core.image.PngEncoder;
import org.diffusionbatch.core.image.VaeImageConversion;
import org.junit.jupiter.api.Test;

class SimulatedPicturesTest {
  private static final SimulatedPictures PICTURES = new SimulatedPictures(2, 512, 512);

  @Test
  void decoderOutputConvertsBackToThePicturesBytes() {
    for (int i = 0; i < PICTURES.count(); i++) {
      assertArrayEquals(PICTURES.rgb(i), VaeImageConversion.toRgb(PICTURES.chw(i), 0, 512, 512), "picture " + i);
    }
  }

  @Test
  void picturesCompressLikeStableDiffusionOutputsNotLikeFlatPatterns() {
    // SD 1.5's 512x512 outputs are 400-500 KB as PNG; flat test patterns are tens of KB and noise ~790 KB.
    for (int i = 0; i < PICTURES.count(); i++) {
      int bytes = new PngEncoder().encode(PICTURES.rgb(i), 512, 512).length;
      assertTrue(bytes > 300_000 && bytes < 600_000, "picture " + i + " is " + bytes + " bytes as PNG");
    }
  }

  @Test
  void picturesAreTheSameOnEveryMakingAndDifferFromEachOther() {
    SimulatedPictures again = new SimulatedPictures(2, 512, 512);
    assertArrayEquals(PICTURES.rgb(1), again.rgb(1));
    assertFalse(Arrays.equals(PICTURES.rgb(0), PICTURES.rgb(1)));
  }
}
