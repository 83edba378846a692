package org.diffusionbatch.bench;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.diffusionbatch.core.image.PngEncoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * PNG encoding of one 512x512 generated-looking image. Two contents: "smooth" (gradients and
 * flat shapes) and "textured" (the same with fine grain of a few levels, closer to a diffusion
 * model's output). Prints each setting's file size once. Compare filters and levels with
 * {@code -p filter=NONE,SUB,UP,PAETH -p level=1,2,3}; {@link #imageIo} is the javax.imageio baseline.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PngEncoderBenchmark {
  private static final int SIZE = 512;

  @Param({"smooth", "textured"})
  public String content;

  @Param({"UP"})
  public String filter;

  @Param({"1"})
  public int level;

  private byte[] rgb;
  private PngEncoder encoder;
  private BufferedImage image;

  @Setup
  public void setup() throws IOException {
    rgb = imageLike(content.equals("textured"));
    encoder = new PngEncoder(level, PngEncoder.Filter.valueOf(filter));
    image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        int i = (y * SIZE + x) * 3;
        image.setRGB(x, y, ((rgb[i] & 0xff) << 16) | ((rgb[i + 1] & 0xff) << 8) | (rgb[i + 2] & 0xff));
      }
    }
    System.out.printf("%n[png size] content=%s filter=%s level=%d: %d bytes (javax.imageio: %d bytes)%n",
        content, filter, level, encoder.encode(rgb, SIZE, SIZE).length, imageIo().length);
  }

  @Benchmark
  public byte[] encode() {
    return encoder.encode(rgb, SIZE, SIZE);
  }

  @Benchmark
  public byte[] imageIo() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** A sky-like vertical gradient, a lit sphere, a few flat boxes; with grain when textured. */
  static byte[] imageLike(boolean grain) {
    Random random = new Random(7);
    byte[] rgb = new byte[SIZE * SIZE * 3];
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        double r = 40 + 150.0 * y / SIZE;
        double g = 80 + 120.0 * y / SIZE;
        double b = 200 - 60.0 * y / SIZE + 20 * Math.sin(x / 40.0);
        double dx = x - 300;
        double dy = y - 220;
        double d2 = dx * dx + dy * dy;
        if (d2 < 120 * 120) {
          double shade = 0.4 + 0.6 * Math.max(0, 1 - Math.hypot(dx + 40, dy + 40) / 170);
          r = 220 * shade;
          g = 60 * shade;
          b = 40 * shade;
        } else if (y > 400 && (x / 64) % 2 == 0) {
          r = 90;
          g = 140;
          b = 60;
        }
        int n = grain ? random.nextInt(9) - 4 : 0;
        int i = (y * SIZE + x) * 3;
        rgb[i] = clamp(r + n);
        rgb[i + 1] = clamp(g + n);
        rgb[i + 2] = clamp(b + n);
      }
    }
    return rgb;
  }

  private static byte clamp(double v) {
    return (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
  }
}
