package org.diffusionbatch.bench.sim;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One graph of the simulated model on the shared device. Calls to a graph run one at a time with
 * the lock held over the host work and the device time, as core's OnnxGraph holds its GPU lock
 * around feeding, running and reading a graph (so concurrent tasks never hold two sets of one
 * graph's activations in GPU memory); different graphs wait only for the device itself.
 */
final class SimulatedGraph {
  private final SimulatedDevice device;
  private final SimulatedDevice.Graph graph;
  private final ReentrantLock lock = new ReentrantLock();

  SimulatedGraph(SimulatedDevice device, SimulatedDevice.Graph graph) {
    this.device = device;
    this.graph = graph;
  }

  /**
   * One call: {@code feed} does the inputs' host work, the device runs for the profile's time for
   * {@code rows}, {@code read} makes the output on the host.
   */
  <T> T call(int rows, boolean lcm, Runnable feed, Supplier<T> read) {
    StageClock.beforeCall(graph);
    lock.lock();
    try {
      feed.run();
      StageClock.charge(StageClock.Stage.FP16_AND_COPIES);
      device.run(graph, rows, lcm);
      StageClock.charge(StageClock.Stage.DEVICE_WAIT);
      T out = read.get();
      StageClock.charge(StageClock.Stage.FP16_AND_COPIES);
      return out;
    } finally {
      lock.unlock();
      StageClock.afterCall(graph);
    }
  }
}
