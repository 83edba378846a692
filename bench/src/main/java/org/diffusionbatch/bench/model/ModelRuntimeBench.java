package org.diffusionbatch.bench.model;

import ai.onnxruntime.platform.Fp16Conversions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.diffusionbatch.core.model.DiffusionModel;
import org.diffusionbatch.core.model.ModelDigest;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.model.UNetConditioning;
import org.diffusionbatch.core.sampler.LatentShape;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the model runtime adds to each model call, outside ONNX Runtime's own work.
 *
 * <pre>
 * mvn -B -q -o -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar 'bench.model.ModelRuntimeBench' -rf text   # from the repository root
 * </pre>
 *
 * <ul>
 *   <li>{@code toFloat16}: converting one SD 1.5 UNet call's floats to float16 (latents B x 4 x 64 x 64
 *       plus embeddings B x 77 x 768; rows = B incl. CFG) — the cost of fp16 models before the cache
 *       of embeddings, which then leaves only the latents;
 *   <li>{@code tinyUnetCall}: a whole UNet call through DJL on models/tiny-sd(-fp16), a graph so small
 *       the time is mostly the Java side (tensor creation, Predictor, conversion, copies);
 *   <li>{@code digest}: SHA-256 of a 256 MB model folder (ms; MB/s = 256000 / ms).
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ModelRuntimeBench {

  @State(Scope.Benchmark)
  public static class Conversion {
    @Param({"2", "16"})
    public int rows;
    float[] values;

    @Setup
    public void setUp() {
      values = gaussian(rows * (4 * 64 * 64 + 77 * 768), 1);
    }
  }

  @Benchmark
  public short[] toFloat16(Conversion state) {
    float[] values = state.values;
    short[] halves = new short[values.length];
    for (int i = 0; i < values.length; i++) {
      halves[i] = Fp16Conversions.floatToFp16(values[i]); // what the model runtime does per float16 input
    }
    return halves;
  }

  @State(Scope.Benchmark)
  public static class TinyModel {
    @Param({"tiny-sd", "tiny-sd-fp16"})
    public String model;
    DiffusionModel loaded;
    final LatentShape shape = new LatentShape(2, 4, 16, 16);
    float[] latents;
    UNetConditioning hidden;

    @Setup
    public void setUp() {
      Path root = Path.of(System.getProperty("repo.root", "."));
      loaded = DiffusionModel.load(ModelOptions.local(root.resolve("models").resolve(model)).withThreads(1, 1));
      latents = gaussian(shape.size(), 2);
      int[][] ids = new int[2][77];
      for (int[] row : ids) {
        Arrays.fill(row, 744);
        row[0] = 743;
        row[1] = 513;
      }
      hidden = UNetConditioning.of(loaded.textEncoder().encode(ids).tokens());
    }

    @TearDown
    public void tearDown() {
      loaded.close();
    }
  }

  @Benchmark
  public float[] tinyUnetCall(TinyModel state) {
    return state.loaded.unet().predict(state.latents, state.shape, 500, state.hidden);
  }

  @State(Scope.Benchmark)
  public static class Folder {
    Path dir;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = Files.createTempDirectory("digest-bench");
      byte[] chunk = new byte[1 << 20];
      new Random(3).nextBytes(chunk);
      Files.createDirectories(dir.resolve("unet"));
      try (var out = Files.newOutputStream(dir.resolve("unet/model.onnx"))) {
        for (int i = 0; i < 256; i++) {
          out.write(chunk);
        }
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      Files.delete(dir.resolve("unet/model.onnx"));
      Files.delete(dir.resolve("unet"));
      Files.delete(dir);
    }
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 1, time = 2)
  @Measurement(iterations = 3, time = 2)
  public String digest(Folder folder) {
    return ModelDigest.of(folder.dir);
  }

  static float[] gaussian(int n, long seed) {
    Random random = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }
}
