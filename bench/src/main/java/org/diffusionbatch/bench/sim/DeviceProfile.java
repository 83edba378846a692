package org.diffusionbatch.bench.sim;

import java.util.Locale;

/**
 * How long each graph's call takes on the simulated device.
 *
 * @param name what the profile is, for reports
 * @param textEncoder CLIP text encoder, by token rows
 * @param unet the UNet, by latent rows (with classifier-free guidance twice the images)
 * @param unetLcm an LCM UNet (with {@code timestep_cond}), by latent rows
 * @param vaeDecoder the VAE decoder, by images
 */
public record DeviceProfile(String name, CallTimes textEncoder, CallTimes unet, CallTimes unetLcm, CallTimes vaeDecoder) {

  /**
   * One NVIDIA H100 80GB running Stable Diffusion 1.5 at 512x512 in fp16 (PyTorch, SDPA): the
   * measured medians of shared/anchors.md (2026-11-27).
   */
  public static final DeviceProfile H100_SD15 = new DeviceProfile("h100-sd15",
      CallTimes.flat(0.004),
      new CallTimes(new int[] {2, 8, 16, 32, 64}, new double[] {0.027, 0.052, 0.053, 0.100, 0.194}),
      new CallTimes(new int[] {1, 4, 8, 16, 32}, new double[] {0.027, 0.028, 0.032, 0.053, 0.101}),
      new CallTimes(new int[] {1, 4, 8, 16}, new double[] {0.023, 0.067, 0.121, 0.231}));

  /** Every call takes no device time: what is left is the job's own cost (planning benchmarks). */
  public static final DeviceProfile ZERO = new DeviceProfile("zero",
      CallTimes.flat(0), CallTimes.flat(0), CallTimes.flat(0), CallTimes.flat(0));

  /** A profile by name: {@code h100-sd15} or {@code zero}. */
  public static DeviceProfile named(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "h100-sd15" -> H100_SD15;
      case "zero" -> ZERO;
      default -> throw new IllegalArgumentException("simulated device profile " + name + " is not known; use h100-sd15 or zero");
    };
  }

  /** The device's own images/s for a batch of {@code batch} images: every call back to back, nothing else. */
  public double ceilingImagesPerSecond(int batch, int steps, boolean guided, boolean lcm) {
    double seconds = textEncoder.secondsFor(guided ? 2 * batch : batch)
        + steps * (lcm ? unetLcm : unet).secondsFor(guided ? 2 * batch : batch)
        + vaeDecoder.secondsFor(batch);
    return batch / seconds;
  }
}
