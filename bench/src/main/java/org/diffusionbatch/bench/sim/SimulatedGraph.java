package org.diffusionbatch.bench.sim;

import java.util.function.Supplier;
import org.diffusionbatch.core.model.GraphRunGate;

/**
 * One graph of the simulated model on the shared device. Its device runs go through core's own
 * {@link GraphRunGate} with the device's runs per graph, as core's OnnxGraph gates its runs on a GPU
 * (bounding how many sets of one graph's activations are in GPU memory); the host work before and
 * after (float16 inputs, copying the output out) is outside the gate, as there. Different graphs
 * wait only for the device itself.
 */
final class SimulatedGraph {
  private final SimulatedDevice device;
  private final SimulatedDevice.Graph graph;
  private final GraphRunGate gate;

  SimulatedGraph(SimulatedDevice device, SimulatedDevice.Graph graph) {
    this.device = device;
    this.graph = graph;
    this.gate = GraphRunGate.of(device.runsPerGraph());
  }

  /**
   * One call: {@code feed} does the inputs' host work, the device runs for the profile's time for
   * {@code rows}, {@code read} makes the output on the host.
   */
  <T> T call(int rows, boolean lcm, Runnable feed, Supplier<T> read) {
    StageClock.beforeCall(graph);
    try {
      feed.run();
      StageClock.charge(StageClock.Stage.FP16_AND_COPIES);
      gate.run(() -> device.run(graph, rows, lcm));
      StageClock.charge(StageClock.Stage.DEVICE_WAIT);
      T out = read.get();
      StageClock.charge(StageClock.Stage.FP16_AND_COPIES);
      return out;
    } finally {
      StageClock.afterCall(graph);
    }
  }
}
