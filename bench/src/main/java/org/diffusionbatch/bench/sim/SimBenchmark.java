package org.diffusionbatch.bench.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffusionbatch.core.image.PngEncoder;
import org.diffusionbatch.core.sampler.ClassifierFreeGuidance;
import org.diffusionbatch.core.sampler.LatentShape;
import org.diffusionbatch.jobs.generate.GenerateCommand;
import picocli.CommandLine;

/**
 * Does an executor keep an H100 busy? Runs the real generate job in local mode on the simulated
 * device ({@link SimulatedImageMakerFactory}) and reports images/s against the device's ceiling,
 * the device's busy fraction, and the CPU the executor spends per image by stage.
 *
 * <pre>
 * SimBenchmark dpmpp|lcm [--images N] [--output local|s3] [--sharing one-queue|per-graph]
 *     [--master local[2]] [--scratch DIR] [--json FILE] [-- extra generate options]
 * </pre>
 *
 * Settings: {@code dpmpp} is DPM-Solver++ 2M, 20 steps, CFG 7.5, batch 8; {@code lcm} is LCM, 4 steps,
 * batch 16. The prompts are spread over one partition per task slot of the master (unless the extra
 * generate options give {@code --partitions}), so every task shares the device. CPU per image is taken over the steady part of the run (from the end of the first
 * batches to the last device call), so model loading, planning and the final commit are left out.
 */
public final class SimBenchmark {
  private static final long SAMPLE_MILLIS = 250;

  /** A benchmark setting: the generate options that make it. */
  record Setting(String name, String model, String sampler, int steps, double guidance, int batch, int defaultImages) {
    boolean guided() {
      return !sampler.equals("lcm") && guidance > 1;
    }

    boolean lcm() {
      return sampler.equals("lcm");
    }
  }

  static final Setting DPMPP = new Setting("dpmpp", "models/tiny-sd", "dpmpp-2m", 20, 7.5, 8, 480);
  static final Setting LCM = new Setting("lcm", "models/tiny-lcm", "lcm", 4, 8.5, 16, 2400);

  private SimBenchmark() {}

  public static void main(String[] args) throws Exception {
    Result result = run(args);
    System.out.println(result.table());
    System.exit(result.exitCode() == 0 ? 0 : 1);
  }

  /** Runs one benchmark as the arguments say and returns its figures. */
  public static Result run(String... args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: SimBenchmark dpmpp|lcm [--images N] [--output local|s3] [--sharing one-queue|per-graph]"
          + " [--master local[2]] [--scratch DIR] [--json FILE] [-- generate options]");
    }
    Setting setting = switch (args[0]) {
      case "dpmpp" -> DPMPP;
      case "lcm" -> LCM;
      default -> throw new IllegalArgumentException("setting " + args[0] + " is not known; use dpmpp or lcm");
    };
    int images = setting.defaultImages();
    String output = "local";
    String sharing = "one-queue";
    String master = "local[2]";
    Path scratch = null;
    Path json = null;
    List<String> extra = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--images" -> images = Integer.parseInt(args[++i]);
        case "--output" -> output = args[++i];
        case "--sharing" -> sharing = args[++i];
        case "--master" -> master = args[++i];
        case "--scratch" -> scratch = Path.of(args[++i]);
        case "--json" -> json = Path.of(args[++i]);
        case "--" -> {
          extra.addAll(List.of(args).subList(i + 1, args.length));
          i = args.length;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (!output.equals("local") && !output.equals("s3")) {
      throw new IllegalArgumentException("--output must be local or s3, got " + output);
    }
    Path dir = scratch != null ? Files.createDirectories(scratch) : Files.createTempDirectory("diffusionbatch-sim");
    Result result = run(setting, images, output, SimulatedDevice.Sharing.parse(sharing), master, dir, extra);
    if (json != null) {
      Files.writeString(json, result.json() + "\n");
    }
    return result;
  }

  static Result run(Setting setting, int images, String output, SimulatedDevice.Sharing sharing, String master, Path dir,
      List<String> extra) throws Exception {
    double[] loadBefore = loadAverage();
    Path prompts = BenchPrompts.writeText(dir.resolve("prompts.txt"), images);
    LocalS3 s3 = output.equals("s3") ? new LocalS3(Files.createDirectories(dir.resolve("s3")), "bench") : null;
    try {
      String run = Long.toString(System.nanoTime());
      String out = s3 != null ? "s3a://bench/" + setting.name() + "-" + System.nanoTime() : dir.resolve("out-" + System.nanoTime()).toString();
      List<String> generate = new ArrayList<>(List.of(
          "--prompts", prompts.toString(), "--output", out, "--model", setting.model(),
          "--sampler", setting.sampler(), "--steps", Integer.toString(setting.steps()),
          "--guidance", Double.toString(setting.guidance()), "--batch-size", Integer.toString(setting.batch()),
          "--master", master, "--run-id", "sim-" + setting.name(),
          "--conf", "spark.ui.enabled=false",
          "--conf", SimulatedImageMakerFactory.FACTORY_CONF + "=" + SimulatedImageMakerFactory.class.getName(),
          "--conf", SimulatedImageMakerFactory.SHARING + "=" + sharing.name(),
          "--conf", SimulatedImageMakerFactory.RUN + "=" + run));
      if (s3 != null) {
        generate.addAll(s3.jobArguments());
      }
      if (!extra.contains("--partitions")) {
        // A small prompt file is read as one partition, which would leave one task feeding the device;
        // a real run of millions of rows has many partitions, so every task slot has one here too.
        generate.addAll(List.of("--partitions", Integer.toString(taskSlots(master))));
      }
      generate.addAll(extra);

      ThreadCpu threads = new ThreadCpu();
      List<Sample> samples = new CopyOnWriteArrayList<>();
      Thread sampler = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          samples.add(sample(threads, run));
          try {
            Thread.sleep(SAMPLE_MILLIS);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "bench-sampler");
      sampler.setDaemon(true);
      sampler.start();
      long start = System.nanoTime();
      int exit = new CommandLine(new GenerateCommand()).execute(generate.toArray(String[]::new));
      double wall = (System.nanoTime() - start) / 1e9;
      sampler.interrupt();
      sampler.join();
      samples.add(sample(threads, run));
      double[] loadAfter = loadAverage();
      SimulatedDevice device = SimulatedImageMakerFactory.device(run);
      if (device == null) {
        throw new IllegalStateException("generate exited " + exit + " without loading the simulated model; see its output above");
      }
      long s3Objects = s3 == null ? 0 : s3.count(out.substring("s3a://bench/".length()), ".parquet");
      return Result.of(setting, images, output, master, exit, wall, s3Objects, device, samples, loadBefore, loadAfter,
          cfgMillisPerImage(setting), pngMillisPerImage(SimulatedImageMakerFactory.pictures(run)));
    } finally {
      if (s3 != null) {
        s3.close();
      }
    }
  }

  /** Task slots of a local master: N of local[N] (or local[N,F]), the machine's cores for local[*], 1 for local. */
  static int taskSlots(String master) {
    Matcher m = Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?]").matcher(master);
    if (!m.matches()) {
      return 1;
    }
    return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
  }

  /** One reading of threads, stages and the device. */
  record Sample(long at, ThreadCpu.Snapshot threads, long[] stages, long decoded) {}

  private static Sample sample(ThreadCpu threads, String run) {
    long now = System.nanoTime();
    SimulatedDevice device = SimulatedImageMakerFactory.device(run);
    long decoded = 0;
    if (device != null) {
      decoded = device.usage().rows()[SimulatedDevice.Graph.VAE_DECODER.ordinal()];
    }
    return new Sample(now, threads.snapshot(), StageClock.totals(), decoded);
  }

  /**
   * CPU milliseconds per image of the CFG combination alone (core's ClassifierFreeGuidance at the
   * setting's shape, this thread, warmed up), to split it from the sampler's step: the job's threads
   * run both between the same two UNet calls.
   */
  static double cfgMillisPerImage(Setting setting) {
    if (!setting.guided()) {
      return 0;
    }
    LatentShape shape = new LatentShape(setting.batch(), 4, 64, 64);
    float[] prediction = new float[2 * shape.size()];
    for (int i = 0; i < prediction.length; i++) {
      prediction[i] = (float) Math.sin(i);
    }
    float[] out = new float[shape.size()];
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 200; i++) {
      ClassifierFreeGuidance.combine(prediction, shape, setting.guidance(), 0, out);
    }
    int calls = 400;
    long cpu = mx.getCurrentThreadCpuTime();
    for (int i = 0; i < calls; i++) {
      ClassifierFreeGuidance.combine(prediction, shape, setting.guidance(), 0, out);
    }
    double perCall = (mx.getCurrentThreadCpuTime() - cpu) / 1e6 / calls;
    return perCall * setting.steps() / setting.batch();
  }

  /** CPU milliseconds to PNG-encode one of the simulated pictures with the job's encoder (this thread, warmed up). */
  static double pngMillisPerImage(SimulatedPictures pictures) {
    PngEncoder encoder = new PngEncoder();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 8; i++) {
      encoder.encode(pictures.rgb(i % pictures.count()), pictures.width(), pictures.height());
    }
    int rounds = 4 * pictures.count();
    long cpu = mx.getCurrentThreadCpuTime();
    for (int i = 0; i < rounds; i++) {
      encoder.encode(pictures.rgb(i % pictures.count()), pictures.width(), pictures.height());
    }
    return (mx.getCurrentThreadCpuTime() - cpu) / 1e6 / rounds;
  }

  static double[] loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
    } catch (IOException | RuntimeException e) {
      double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      return new double[] {load, load, load};
    }
  }

  /** The figures of one run. */
  public record Result(String setting, int images, String output, String master, int exitCode, double wallSeconds,
      long decoded, long unetCalls, long s3Objects, double ceiling, double anchorCeiling, double imagesPerSecond, double busyFraction, double steadyBusyFraction,
      long steadyImages, Map<String, Double> idleSteady, Map<String, Double> cpuMillisPerImage, double coresFor95, double[] loadBefore, double[] loadAfter,
      String sharing, int runsPerGraph, String cpuModel, int processors) {

    static Result of(Setting setting, int images, String output, String master, int exit, double wall, long s3Objects,
        SimulatedDevice device, List<Sample> samples, double[] loadBefore, double[] loadAfter, double cfgMillis, double pngMillis) {
      SimulatedDevice.Usage usage = device.usage();
      long decoded = usage.rows()[SimulatedDevice.Graph.VAE_DECODER.ordinal()];
      double ceiling = device.profile().ceilingImagesPerSecond(setting.batch(), setting.steps(), setting.guided(), setting.lcm());
      double rate = decoded / Math.max(usage.spanSeconds(), 1e-9);

      // The steady window: from the first sample after four batches were decoded (one per task of
      // local[4]) to the last sample before the device's last call ended.
      Sample first = null;
      Sample last = null;
      for (Sample s : samples) {
        if (first == null && s.decoded() >= 4L * setting.batch()) {
          first = s;
        }
        if (s.at() <= usage.lastEnd()) {
          last = s;
        }
      }
      Map<String, Double> perImage = new LinkedHashMap<>();
      Map<String, Double> idle = new LinkedHashMap<>();
      double steadyBusy = 0;
      long steadyImages = 0;
      double cores = Double.NaN;
      if (first != null && last != null && last.decoded() > first.decoded()) {
        steadyImages = last.decoded() - first.decoded();
        steadyBusy = (double) device.busyBetween(first.at(), last.at()) / (last.at() - first.at());
        long[][] gaps = device.idleByNextGraph(first.at(), last.at());
        for (SimulatedDevice.Graph graph : SimulatedDevice.Graph.values()) {
          idle.put("before " + graph.name().toLowerCase(Locale.ROOT) + " calls: gaps", (double) gaps[graph.ordinal()][0]);
          idle.put("before " + graph.name().toLowerCase(Locale.ROOT) + " calls: ms", gaps[graph.ordinal()][1] / 1e6);
        }
        idle.put("longest gap: ms", gaps[SimulatedDevice.Graph.values().length][1] / 1e6);
        idle.put("longest gap: starts s after the window's start", (gaps[SimulatedDevice.Graph.values().length][0] - first.at()) / 1e9);
        idle.put("window: starts s after the device's first call", (first.at() - usage.firstStart()) / 1e9);
        idle.put("steady window: ms", (last.at() - first.at()) / 1e6);
        long[] stages = new long[last.stages().length];
        for (int i = 0; i < stages.length; i++) {
          stages[i] = last.stages()[i] - first.stages()[i];
        }
        Map<String, Long> byRole = last.threads().since(first.threads());
        long pipeline = 0;
        for (StageClock.Stage stage : StageClock.Stage.values()) {
          if (stage == StageClock.Stage.DEVICE_WAIT) {
            continue;
          }
          double ms = stages[stage.ordinal()] / 1e6 / steadyImages;
          pipeline += stages[stage.ordinal()];
          if (stage == StageClock.Stage.SAMPLER_AND_CFG && cfgMillis > 0) {
            perImage.put("pipeline: sampler step", Math.max(0, ms - cfgMillis));
            perImage.put("pipeline: CFG combination (measured apart)", Math.min(ms, cfgMillis));
          } else {
            perImage.put("pipeline: " + stage.label(), ms);
          }
        }
        perImage.put("pipeline: device wait (parked)", stages[StageClock.Stage.DEVICE_WAIT.ordinal()] / 1e6 / steadyImages);
        pipeline += stages[StageClock.Stage.DEVICE_WAIT.ordinal()];
        long task = byRole.get(ThreadCpu.Role.TASK.label());
        perImage.put("task threads outside the pipeline: rows to Parquet (batching, row conversion, writer, S3A buffering)",
            Math.max(0, task - pipeline) / 1e6 / steadyImages);
        double pool = byRole.get(ThreadCpu.Role.PNG_POOL.label()) / 1e6 / steadyImages;
        perImage.put("PNG pool: PNG encoding (measured apart)", Math.min(pool, pngMillis));
        perImage.put("PNG pool: image hash, row object", Math.max(0, pool - pngMillis));
        perImage.put("upload: " + ThreadCpu.Role.UPLOAD.label(), byRole.get(ThreadCpu.Role.UPLOAD.label()) / 1e6 / steadyImages);
        perImage.put("other: " + ThreadCpu.Role.OTHER.label(), byRole.get(ThreadCpu.Role.OTHER.label()) / 1e6 / steadyImages);
        perImage.put("other: GC and JIT compiler threads", byRole.get("GC and JIT compiler threads") / 1e6 / steadyImages);
        double executor = 0;
        for (double ms : perImage.values()) {
          executor += ms;
        }
        perImage.put("executor total", executor);
        perImage.put("not the executor's: " + ThreadCpu.Role.S3_SERVER.label(),
            byRole.get(ThreadCpu.Role.S3_SERVER.label()) / 1e6 / steadyImages);
        cores = executor / 1000 * 0.95 * ceiling;
      }
      return new Result(setting.name(), images, output, master, exit, wall, decoded,
          usage.calls()[SimulatedDevice.Graph.UNET.ordinal()], s3Objects, ceiling,
          setting.lcm() ? 33.9 : 7.0, rate, usage.busyFraction(), steadyBusy, steadyImages, idle, perImage, cores,
          loadBefore, loadAfter, usage.sharing().name(), device.runsPerGraph(), machineCpuModel(), Runtime.getRuntime().availableProcessors());
    }

    String table() {
      StringBuilder s = new StringBuilder();
      s.append(String.format(Locale.ROOT, "%n== simulated H100, setting %s, output %s, %s, sharing %s, %d run(s) per graph in flight, exit %d ==%n",
          setting, output, master, sharing, runsPerGraph, exitCode));
      s.append(String.format(Locale.ROOT, "machine: %s, %d cores; load average before %.1f, after %.1f (1 min)%n",
          cpuModel, processors, loadBefore[0], loadAfter[0]));
      s.append(String.format(Locale.ROOT, "images/s              %.2f (device's ceiling at this batch %.2f; anchor best %.1f)%n",
          imagesPerSecond, ceiling, anchorCeiling));
      s.append(String.format(Locale.ROOT, "device busy           %.1f%% over its whole span, %.1f%% steady (%d images)%n",
          100 * busyFraction, 100 * steadyBusyFraction, steadyImages));
      if (!idleSteady.isEmpty()) {
        s.append(String.format(Locale.ROOT, "device idle, steady   %.0f ms of %.0f ms; by the call that ended the wait:%n",
            idleSteady.entrySet().stream().filter(e -> e.getKey().endsWith("calls: ms")).mapToDouble(Map.Entry::getValue).sum(),
            idleSteady.get("steady window: ms")));
        for (SimulatedDevice.Graph graph : SimulatedDevice.Graph.values()) {
          String name = graph.name().toLowerCase(Locale.ROOT);
          s.append(String.format(Locale.ROOT, "  %8.0f ms in %5.0f gaps before %s calls%n", idleSteady.get("before " + name + " calls: ms"),
              idleSteady.get("before " + name + " calls: gaps"), name));
        }
        s.append(String.format(Locale.ROOT, "  %8.1f ms the longest gap, %.1f s into the steady window (which starts %.1f s after the first call)%n",
            idleSteady.get("longest gap: ms"), idleSteady.get("longest gap: starts s after the window's start"),
            idleSteady.get("window: starts s after the device's first call")));
      }
      s.append("CPU ms per image:\n");
      cpuMillisPerImage.forEach((k, v) -> s.append(String.format(Locale.ROOT, "  %8.2f  %s%n", v, k)));
      s.append(String.format(Locale.ROOT, "cores to keep the device 95%% busy: %.2f (executor CPU per image x 0.95 x ceiling)%n",
          coresFor95));
      s.append(String.format(Locale.ROOT, "wall %.1f s (JVM run of the job, incl. Spark start, model load, planning)%n", wallSeconds));
      return s.toString();
    }

    String json() {
      try {
        return new ObjectMapper().writeValueAsString(this);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static String machineCpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return System.getProperty("os.arch");
  }
}
