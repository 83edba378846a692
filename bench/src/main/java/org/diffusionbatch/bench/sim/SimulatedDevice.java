package org.diffusionbatch.bench.sim;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.diffusionbatch.core.model.GraphRunGate;

/**
 * One simulated accelerator shared by every task of an executor: a call occupies it for the time
 * its {@link DeviceProfile} gives, and the calling thread blocks (parked, burning no CPU) until the
 * call would complete, as a thread inside ONNX Runtime's Run() waits for its CUDA stream.
 *
 * <p>The device keeps a timeline in wall-clock nanoseconds, not the calling threads' wake-ups: a
 * call starts when it arrives or when the calls ahead of it finish, whichever is later, so a
 * thread that wakes late (a loaded host) makes the device idle only if nothing else was queued.
 * Busy time is the union of the calls' intervals on that timeline.
 *
 * <p>Thread-safe.
 */
public final class SimulatedDevice {

  /** What the device can run at once. */
  public enum Sharing {
    /**
     * One call at a time across all graphs, in arrival order (the default, conservative): a GPU
     * running an SD 1.5 UNet batch is compute-bound (the anchor's UNet time grows with rows from
     * 16 on), so ONNX Runtime's concurrent Run() calls, whatever streams they use, finish no
     * sooner together than one after the other. docs/performance.md has the evidence.
     */
    ONE_QUEUE,
    /**
     * Each graph runs one call at a time but different graphs overlap at full speed (a VAE decode
     * beside a UNet step costs nothing): an upper bound no real GPU reaches, for comparison.
     */
    PER_GRAPH;

    public static Sharing parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("simulated device sharing " + name + " is not known; use one-queue or per-graph");
      }
    }
  }

  /** The graphs a Stable Diffusion model runs. */
  public enum Graph {
    TEXT_ENCODER, UNET, VAE_DECODER
  }

  /** Wall-clock time for the timeline and the wait for a call's end; tests give a manual one. */
  public interface Clock {
    long nanoTime();

    void waitUntil(long deadline);

    /** System.nanoTime, and parking the calling thread (no CPU) until the deadline. */
    Clock SYSTEM = new Clock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void waitUntil(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
          LockSupport.parkNanos(left);
        }
      }
    };
  }

  private final DeviceProfile profile;
  private final Sharing sharing;
  private final Clock clock;
  private final int runsPerGraph;
  private final long[] freeAt = new long[Graph.values().length];
  private final long[] calls = new long[Graph.values().length];
  private final long[] rows = new long[Graph.values().length];
  private final long[] graphNanos = new long[Graph.values().length];
  private long[] intervals = new long[1024];
  private byte[] intervalGraphs = new byte[512];
  private int intervalCount;

  public SimulatedDevice(DeviceProfile profile, Sharing sharing) {
    this(profile, sharing, GraphRunGate.GPU_DEFAULT);
  }

  /** @param runsPerGraph runs of one graph in flight at once, as core's {@link GraphRunGate} allows on a GPU */
  public SimulatedDevice(DeviceProfile profile, Sharing sharing, int runsPerGraph) {
    this(profile, sharing, runsPerGraph, Clock.SYSTEM);
  }

  public SimulatedDevice(DeviceProfile profile, Sharing sharing, Clock clock) {
    this(profile, sharing, GraphRunGate.GPU_DEFAULT, clock);
  }

  SimulatedDevice(DeviceProfile profile, Sharing sharing, int runsPerGraph, Clock clock) {
    this.profile = profile;
    this.sharing = sharing;
    this.runsPerGraph = runsPerGraph;
    this.clock = clock;
  }

  public DeviceProfile profile() {
    return profile;
  }

  public Sharing sharing() {
    return sharing;
  }

  public int runsPerGraph() {
    return runsPerGraph;
  }

  /**
   * Runs one call: queues it behind the calls it must wait for, and returns when it completes.
   *
   * @param lcm an LCM UNet call (timed by {@link DeviceProfile#unetLcm()})
   * @return the call's device time in nanoseconds
   */
  public long run(Graph graph, int callRows, boolean lcm) {
    long duration = switch (graph) {
      case TEXT_ENCODER -> profile.textEncoder().nanosFor(callRows);
      case UNET -> (lcm ? profile.unetLcm() : profile.unet()).nanosFor(callRows);
      case VAE_DECODER -> profile.vaeDecoder().nanosFor(callRows);
    };
    long end;
    synchronized (this) {
      long now = clock.nanoTime();
      int queue = sharing == Sharing.ONE_QUEUE ? 0 : graph.ordinal();
      long start = Math.max(now, freeAt[queue]);
      end = start + duration;
      freeAt[queue] = end;
      calls[graph.ordinal()]++;
      rows[graph.ordinal()] += callRows;
      graphNanos[graph.ordinal()] += duration;
      record(graph, start, end);
    }
    clock.waitUntil(end);
    return duration;
  }

  private void record(Graph graph, long start, long end) {
    if (intervalCount * 2 == intervals.length) {
      intervals = Arrays.copyOf(intervals, intervals.length * 2);
      intervalGraphs = Arrays.copyOf(intervalGraphs, intervalGraphs.length * 2);
    }
    intervalGraphs[intervalCount] = (byte) graph.ordinal();
    intervals[intervalCount * 2] = start;
    intervals[intervalCount * 2 + 1] = end;
    intervalCount++;
  }

  /** What the device has done so far. */
  public synchronized Usage usage() {
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (int i = 0; i < intervalCount; i++) {
      first = Math.min(first, intervals[2 * i]);
      last = Math.max(last, intervals[2 * i + 1]);
    }
    if (intervalCount == 0) {
      first = 0;
      last = 0;
    }
    return new Usage(profile.name(), sharing, calls.clone(), rows.clone(), graphNanos.clone(), busyBetween(first, last),
        first, last);
  }

  /** Nanoseconds between {@code from} and {@code to} ({@link System#nanoTime}) in which the device ran at least one call. */
  public synchronized long busyBetween(long from, long to) {
    long[][] sorted = new long[intervalCount][];
    for (int i = 0; i < intervalCount; i++) {
      sorted[i] = new long[] {Math.max(from, intervals[2 * i]), Math.min(to, intervals[2 * i + 1])};
    }
    Arrays.sort(sorted, (a, b) -> Long.compare(a[0], b[0]));
    long busy = 0;
    long coveredTo = Long.MIN_VALUE;
    for (long[] interval : sorted) {
      long start = Math.max(interval[0], coveredTo);
      if (interval[1] > start) {
        busy += interval[1] - start;
      }
      coveredTo = Math.max(coveredTo, interval[1]);
    }
    return busy;
  }

  /**
   * Where the device waited between {@code from} and {@code to}: each idle gap is charged to the
   * graph of the call that ended it (a gap before a text encoder call is a task starting a batch;
   * before a UNet call, a task between steps; before a VAE call, a task finishing its steps).
   *
   * @return per graph (by ordinal): {gaps, idle nanoseconds}, and at the end {the longest gap's start, its length}
   */
  public synchronized long[][] idleByNextGraph(long from, long to) {
    Integer[] order = new Integer[intervalCount];
    for (int i = 0; i < intervalCount; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(intervals[2 * a], intervals[2 * b]));
    long[][] idle = new long[Graph.values().length + 1][2];
    long coveredTo = from;
    for (int i : order) {
      long start = intervals[2 * i];
      long end = intervals[2 * i + 1];
      if (start >= to) {
        break;
      }
      if (start > coveredTo && end > from) {
        long gap = start - coveredTo;
        idle[intervalGraphs[i]][0]++;
        idle[intervalGraphs[i]][1] += gap;
        if (gap > idle[Graph.values().length][1]) {
          idle[Graph.values().length][0] = coveredTo;
          idle[Graph.values().length][1] = gap;
        }
      }
      coveredTo = Math.max(coveredTo, end);
    }
    return idle;
  }

  /**
   * The device's work: calls, rows and device nanoseconds per {@link Graph} (by ordinal), the
   * union of busy time, and the first call's start and the last call's end ({@link System#nanoTime}).
   */
  public record Usage(String profile, Sharing sharing, long[] calls, long[] rows, long[] graphNanos, long busyNanos,
      long firstStart, long lastEnd) {

    /** Busy time over the span from the first call's start to the last call's end. */
    public double busyFraction() {
      long span = lastEnd - firstStart;
      return span <= 0 ? 0 : (double) busyNanos / span;
    }

    public double spanSeconds() {
      return (lastEnd - firstStart) / 1e9;
    }
  }
}
