package org.diffusionbatch.bench.sim;

import java.util.SplittableRandom;

/**
 * A fixed set of photo-like pictures for the simulated VAE decoder to return, so PNG encoding,
 * hashing, Parquet and upload work on content of a real decoder's entropy, not on flat test
 * patterns. Made procedurally from fixed seeds (the same bytes on every machine, nothing to
 * commit): a sky gradient over a horizon, ground and a few soft-edged objects, each textured with
 * value-noise fractal Brownian motion whose octave amplitudes fall as 1/f (the spectrum of natural
 * photographs), plus a fine grain of a few levels like a diffusion model's output. At 512x512
 * javax.imageio writes them at about the size Stable Diffusion 1.5's outputs have as PIL PNGs
 * (400-500 KB); docs/performance.md has the sizes.
 */
public final class SimulatedPictures {
  private final int width;
  private final int height;
  private final byte[][] rgb;

  /** {@code count} pictures of {@code width x height}, the same for the same arguments. */
  public SimulatedPictures(int count, int width, int height) {
    if (count < 1 || width < 1 || height < 1) {
      throw new IllegalArgumentException("need at least one picture of positive size, got " + count + " of " + width + "x" + height);
    }
    this.width = width;
    this.height = height;
    this.rgb = new byte[count][];
    for (int i = 0; i < count; i++) {
      rgb[i] = picture(new SplittableRandom(0x5EED_0000L + i));
    }
  }

  public int count() {
    return rgb.length;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Picture {@code i} as interleaved RGB bytes, row after row (do not modify). */
  public byte[] rgb(int i) {
    return rgb[i];
  }

  /** Picture {@code i} as the VAE decoder's output: [3, H, W] planes of values in [-1, 1]. */
  public float[] chw(int i) {
    byte[] pixels = rgb[i];
    int plane = width * height;
    float[] out = new float[3 * plane];
    for (int p = 0; p < plane; p++) {
      for (int c = 0; c < 3; c++) {
        // The inverse of diffusers' postprocess, so VaeImageConversion gives back these exact bytes.
        out[c * plane + p] = (pixels[p * 3 + c] & 0xff) / 127.5f - 1f;
      }
    }
    return out;
  }

  private byte[] picture(SplittableRandom random) {
    float[][] sky = {color(random, 0.45, 0.75), color(random, 0.75, 0.95)};
    float[] ground = color(random, 0.15, 0.55);
    float[] groundFar = color(random, 0.3, 0.6);
    double horizon = 0.35 + 0.25 * random.nextDouble();
    Fractal terrain = new Fractal(random, 6, 0.55);
    Fractal texture = new Fractal(random, 9, 0.62);
    Fractal shade = new Fractal(random, 5, 0.5);
    Fractal clouds = new Fractal(random, 7, 0.55);
    int objects = 2 + random.nextInt(4);
    double[][] blobs = new double[objects][];
    float[][] blobColors = new float[objects][];
    for (int k = 0; k < objects; k++) {
      blobs[k] = new double[] {random.nextDouble(), horizon + (1 - horizon) * random.nextDouble() * 0.8,
          0.06 + 0.18 * random.nextDouble()};
      blobColors[k] = color(random, 0.1, 0.9);
    }
    double grain = 1.5 + 1.0 * random.nextDouble();
    byte[] out = new byte[width * height * 3];
    double[] rgbValue = new double[3];
    for (int y = 0; y < height; y++) {
      double v = (double) y / height;
      for (int x = 0; x < width; x++) {
        double u = (double) x / width;
        double ridge = horizon + 0.08 * (terrain.at(u, 0.5) - 0.5);
        if (v < ridge) {
          double t = v / Math.max(ridge, 1e-6);
          double cloud = Math.max(0, clouds.at(u * 1.5, v * 3) - 0.55) * 1.6;
          for (int c = 0; c < 3; c++) {
            rgbValue[c] = sky[0][c] * (1 - t) + sky[1][c] * t + cloud * (0.95 - sky[0][c]);
          }
        } else {
          double depth = (v - ridge) / Math.max(1 - ridge, 1e-6); // 0 far, 1 near
          // Nearer ground shows finer, stronger texture, as in a photograph.
          double detail = texture.at(u * (1 + 3 * depth), v * (1 + 3 * depth));
          double light = 0.55 + 0.6 * (shade.at(u, v) - 0.5) + (0.25 + 0.5 * depth) * (detail - 0.5);
          for (int c = 0; c < 3; c++) {
            rgbValue[c] = (groundFar[c] * (1 - depth) + ground[c] * depth) * (0.6 + light);
          }
        }
        for (int k = 0; k < objects; k++) {
          double dx = u - blobs[k][0];
          double dy = (v - blobs[k][1]) * 1.3;
          double r = Math.sqrt(dx * dx + dy * dy) / blobs[k][2];
          double edge = r + 0.25 * (shade.at(u * 4 + k, v * 4) - 0.5);
          if (edge < 1) {
            double alpha = Math.min(1, (1 - edge) * 12); // soft edge a few pixels wide
            double surface = 0.75 + 0.35 * (1 - r * r) + 0.4 * (texture.at(u * 5 + k, v * 5) - 0.5);
            for (int c = 0; c < 3; c++) {
              rgbValue[c] = rgbValue[c] * (1 - alpha) + blobColors[k][c] * surface * alpha;
            }
          }
        }
        int i = (y * width + x) * 3;
        for (int c = 0; c < 3; c++) {
          double level = rgbValue[c] * 255 + grain * gaussian(random);
          out[i + c] = (byte) Math.max(0, Math.min(255, (int) Math.round(level)));
        }
      }
    }
    return out;
  }

  private static float[] color(SplittableRandom random, double low, double high) {
    float[] c = new float[3];
    double base = low + (high - low) * random.nextDouble();
    for (int i = 0; i < 3; i++) {
      c[i] = (float) Math.max(0, Math.min(1, base + 0.25 * (random.nextDouble() - 0.5)));
    }
    return c;
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller; one value per call is enough here.
    double u1 = Math.max(random.nextDouble(), 1e-12);
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  /**
   * Value-noise fractal Brownian motion on the unit square: octave k has 2^(k+1) cells per side and
   * amplitude persistence^k (0.5 is the 1/f spectrum of natural images; higher is rougher).
   */
  private static final class Fractal {
    private static final int GRID = 1024;
    private final float[][] lattices;
    private final double[] amplitudes;
    private final double norm;

    Fractal(SplittableRandom random, int octaves, double persistence) {
      lattices = new float[octaves][];
      amplitudes = new double[octaves];
      double sum = 0;
      for (int k = 0; k < octaves; k++) {
        int cells = Math.min(GRID, 2 << k);
        float[] lattice = new float[cells * cells];
        for (int i = 0; i < lattice.length; i++) {
          lattice[i] = (float) random.nextDouble();
        }
        lattices[k] = lattice;
        amplitudes[k] = Math.pow(persistence, k);
        sum += amplitudes[k];
      }
      norm = sum;
    }

    /** A value in [0, 1]; the lattices are periodic, so coordinates outside the unit square wrap without a seam. */
    double at(double u, double v) {
      double total = 0;
      for (int k = 0; k < lattices.length; k++) {
        int cells = Math.min(GRID, 2 << k);
        double fx = frac(u) * cells;
        double fy = frac(v) * cells;
        int x0 = Math.min((int) fx, cells - 1);
        int y0 = Math.min((int) fy, cells - 1);
        int x1 = (x0 + 1) % cells;
        int y1 = (y0 + 1) % cells;
        double tx = smooth(fx - x0);
        double ty = smooth(fy - y0);
        float[] l = lattices[k];
        double top = l[y0 * cells + x0] * (1 - tx) + l[y0 * cells + x1] * tx;
        double bottom = l[y1 * cells + x0] * (1 - tx) + l[y1 * cells + x1] * tx;
        total += amplitudes[k] * (top * (1 - ty) + bottom * ty);
      }
      return total / norm;
    }

    private static double frac(double x) {
      return x - Math.floor(x);
    }

    private static double smooth(double t) {
      return t * t * (3 - 2 * t);
    }
  }
}
