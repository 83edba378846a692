package org.diffusionbatch.bench.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.diffusionbatch.core.model.DiffusionModel;
import org.diffusionbatch.core.model.ModelOptions;
import org.diffusionbatch.core.model.UNetConditioning;
import org.diffusionbatch.core.quantize.CalibrationMethod;
import org.diffusionbatch.core.quantize.ModelQuantizer;
import org.diffusionbatch.core.quantize.QuantizationMode;
import org.diffusionbatch.core.quantize.QuantizeSettings;
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
 * ONNX Runtime CPU time of one UNet call (batch 2: the CFG pair, latents 4 x 32 x 32 = 256 x 256
 * pixels) of the real-architecture tiny-real-sd in each precision: the float32 export, a float16
 * copy, and the two outputs of {@code quantize} made from the float32 export in the trial's setup.
 *
 * <pre>
 * # once: a float16 copy (Debian's python3-onnx; the shared tool writes DIR-fp16 next to DIR)
 * cp -r ../shared/reference/pipelines/models/tiny-real-sd /tmp/fp16src/ &amp;&amp; chmod -R u+w /tmp/fp16src
 * /usr/bin/python3 ../shared/reference/pipelines/tools/make_fp16.py /tmp/fp16src/tiny-real-sd
 * mvn -B -q -o -pl bench -am package -DskipTests -Pbench
 * java -Dquantize.fp16=/tmp/fp16src/tiny-real-sd-fp16 -jar bench/target/benchmarks.jar QuantizedUnetBench -rf text
 * </pre>
 *
 * {@code -Dquantize.model=DIR} benchmarks another float32 export; {@code -p threads=N} sets ONNX
 * Runtime's intra-op threads (default 1: comparable on a shared machine). Without
 * {@code quantize.fp16} the fp16 row is skipped.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class QuantizedUnetBench {

  @State(Scope.Benchmark)
  public static class Unet {
    @Param({"fp32", "fp16", "weights-int8", "int8"})
    public String precision;

    @Param({"1"})
    public int threads;

    DiffusionModel model;
    Path work;
    final LatentShape shape = new LatentShape(2, 4, 32, 32);
    float[] latents;
    UNetConditioning hidden;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      Path root = Path.of(System.getProperty("repo.root", "."));
      Path source = Path.of(System.getProperty("quantize.model",
          root.resolve("../shared/reference/pipelines/models/tiny-real-sd").toString())).toAbsolutePath().normalize();
      work = Files.createTempDirectory("quantized-unet-bench");
      Path dir = switch (precision) {
        case "fp32" -> source;
        case "fp16" -> {
          String fp16 = System.getProperty("quantize.fp16");
          if (fp16 == null) {
            throw new IllegalStateException("fp16 skipped: give -Dquantize.fp16=DIR (see the class comment)");
          }
          yield Path.of(fp16);
        }
        case "weights-int8" -> quantize(source, QuantizationMode.WEIGHTS_INT8);
        case "int8" -> quantize(source, QuantizationMode.INT8);
        default -> throw new IllegalArgumentException(precision);
      };
      model = DiffusionModel.load(ModelOptions.local(dir).withThreads(threads, 1));
      latents = gaussian(shape.size(), 2);
      int[][] ids = new int[2][77];
      for (int[] row : ids) {
        Arrays.fill(row, 49407);
        row[0] = 49406;
      }
      ids[1][1] = 320; // "a"
      hidden = UNetConditioning.of(model.textEncoder().encode(ids).tokens());
    }

    private Path quantize(Path source, QuantizationMode mode) {
      Path out = work.resolve(mode.label());
      boolean int8 = mode == QuantizationMode.INT8;
      ModelQuantizer.quantize(new QuantizeSettings(source.toString(), out, mode, List.of("unet"),
          int8 ? List.of("a photograph of an astronaut riding a horse", "a red house by a lake", "a bowl of fruit") : null,
          int8 ? "benchmark prompts" : null, int8 ? 4 : null, int8 ? CalibrationMethod.MINMAX : null,
          QuantizeSettings.DEFAULT_PERCENTILE, false, threads, null, null));
      return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      model.close();
      try (Stream<Path> files = Files.walk(work)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  @Benchmark
  public float[] unetCall(Unet state) {
    return state.model.unet().predict(state.latents, state.shape, 500, state.hidden);
  }

  private static float[] gaussian(int n, long seed) {
    Random random = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }
}
