package org.diffusionbatch.bench.sim;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Thread CPU time of the calling threads split at the simulated model's boundaries: each thread
 * that runs the pipeline marks where it is (entering the pipeline, a graph call's host work, the
 * device wait, back in the pipeline), and the CPU it used since its previous mark is charged to the
 * stage it was in. The stages between device calls are the pipeline's own work (text preparation,
 * initial noise, sampler and CFG between UNet calls, pixel conversion after the decoder), told
 * apart by which call came before and which comes next.
 */
public final class StageClock {

  /** Where a pipeline thread spends CPU. */
  public enum Stage {
    /** Tokenizing prompts and looking up cached embeddings, before the text encoder call. */
    TEXT_PREPARATION("text preparation (tokenizer)"),
    /** Between the text encoder and the first UNet call: embeddings assembled, seeded initial noise, sampler plan. */
    INITIAL_NOISE("embeddings + initial noise"),
    /** Between UNet calls and before the decoder: the CFG combination and the sampler's step. */
    SAMPLER_AND_CFG("sampler + CFG"),
    /** A graph call's host work: float32 to float16 inputs, the output copied out and widened to float32. */
    FP16_AND_COPIES("fp16 conversion + tensor copies"),
    /** Inside the device wait (parked; should be about zero). */
    DEVICE_WAIT("device wait (parked)"),
    /** After the decoder until the pipeline returns: finiteness check and pixels to RGB bytes. */
    PIXELS("pixel conversion");

    private final String label;

    Stage(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final AtomicLongArray NANOS = new AtomicLongArray(Stage.values().length);
  /** Per thread: CPU nanoseconds at the last mark (-1 outside the pipeline) and the ordinal of the last graph called (-1 none). */
  private static final ThreadLocal<long[]> LAST = ThreadLocal.withInitial(() -> new long[] {-1, -1});

  private StageClock() {}

  /** Starts this thread's accounting (the pipeline is entered); nothing before is charged. */
  static void start() {
    long[] last = LAST.get();
    last[0] = THREADS.getCurrentThreadCpuTime();
    last[1] = -1;
  }

  /** A graph call begins: the pipeline's work since the previous mark is charged by what came before. */
  static void beforeCall(SimulatedDevice.Graph graph) {
    int previous = (int) LAST.get()[1];
    Stage stage = switch (graph) {
      case TEXT_ENCODER -> Stage.TEXT_PREPARATION;
      case UNET -> previous == SimulatedDevice.Graph.TEXT_ENCODER.ordinal() ? Stage.INITIAL_NOISE : Stage.SAMPLER_AND_CFG;
      case VAE_DECODER -> Stage.SAMPLER_AND_CFG;
    };
    charge(stage);
  }

  /** A graph call ended (its host work charged already). */
  static void afterCall(SimulatedDevice.Graph graph) {
    LAST.get()[1] = graph.ordinal();
  }

  /** Charges this thread's CPU since its previous mark to {@code stage}. */
  static void charge(Stage stage) {
    long[] last = LAST.get();
    long now = THREADS.getCurrentThreadCpuTime();
    if (last[0] >= 0) {
      NANOS.addAndGet(stage.ordinal(), now - last[0]);
    }
    last[0] = now;
  }

  /** Ends this thread's accounting (the pipeline returns): the stretch after the decoder is pixel conversion. */
  static void stop() {
    charge(Stage.PIXELS);
    LAST.get()[0] = -1;
  }

  /** CPU nanoseconds charged to each stage so far, by ordinal. */
  public static long[] totals() {
    long[] out = new long[NANOS.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = NANOS.get(i);
    }
    return out;
  }
}
