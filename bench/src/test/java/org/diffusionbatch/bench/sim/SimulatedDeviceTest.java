package org.diffusionbatch.bench.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedDeviceTest {
  private static final long MS = 1_000_000;
  /** Text 10 ms, UNet 50 ms (LCM 40 ms), VAE 30 ms, whatever the rows. */
  private static final DeviceProfile FIXED = new DeviceProfile("fixed", CallTimes.flat(0.010), CallTimes.flat(0.050),
      CallTimes.flat(0.040), CallTimes.flat(0.030));

  /** A clock that stands still unless moved; waiting records the deadline instead of sleeping. */
  private static final class ManualClock implements SimulatedDevice.Clock {
    long now = 1_000 * MS;
    final List<Long> deadlines = new ArrayList<>();

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void waitUntil(long deadline) {
      deadlines.add(deadline);
    }
  }

  @Test
  void oneQueueRunsCallsThatArriveTogetherOneAfterTheOther() {
    ManualClock clock = new ManualClock();
    SimulatedDevice device = new SimulatedDevice(FIXED, SimulatedDevice.Sharing.ONE_QUEUE, clock);
    device.run(SimulatedDevice.Graph.UNET, 16, false);
    device.run(SimulatedDevice.Graph.VAE_DECODER, 8, false);
    device.run(SimulatedDevice.Graph.UNET, 16, true);
    // All three arrive at t; each ends after the ones before it.
    assertEquals(List.of(1_050 * MS, 1_080 * MS, 1_120 * MS), clock.deadlines);
    SimulatedDevice.Usage usage = device.usage();
    assertEquals(120 * MS, usage.busyNanos());
    assertEquals(1.0, usage.busyFraction(), 1e-12);
    assertArrayEquals(new long[] {0, 2, 1}, usage.calls());
    assertArrayEquals(new long[] {0, 32, 8}, usage.rows());
    assertArrayEquals(new long[] {0, 90 * MS, 30 * MS}, usage.graphNanos());
  }

  @Test
  void perGraphOverlapsDifferentGraphsButQueuesCallsOfOneGraph() {
    ManualClock clock = new ManualClock();
    SimulatedDevice device = new SimulatedDevice(FIXED, SimulatedDevice.Sharing.PER_GRAPH, clock);
    device.run(SimulatedDevice.Graph.UNET, 16, false);
    device.run(SimulatedDevice.Graph.VAE_DECODER, 8, false);
    device.run(SimulatedDevice.Graph.UNET, 16, false);
    assertEquals(List.of(1_050 * MS, 1_030 * MS, 1_100 * MS), clock.deadlines);
    // The decoder ran inside the first UNet call: busy 100 ms of a 100 ms span, 130 ms of calls.
    assertEquals(100 * MS, device.usage().busyNanos());
  }

  @Test
  void idleTimeBetweenCallsIsNotBusy() {
    ManualClock clock = new ManualClock();
    SimulatedDevice device = new SimulatedDevice(FIXED, SimulatedDevice.Sharing.ONE_QUEUE, clock);
    device.run(SimulatedDevice.Graph.TEXT_ENCODER, 2, false);
    clock.now += 40 * MS; // the caller works 30 ms after its call ended
    device.run(SimulatedDevice.Graph.UNET, 16, false);
    SimulatedDevice.Usage usage = device.usage();
    assertEquals(60 * MS, usage.busyNanos());
    // 10 ms + 50 ms of calls over the 90 ms from the first call's start to the last one's end.
    assertEquals(60.0 / 90, usage.busyFraction(), 1e-12);
    assertEquals(40 * MS, device.busyBetween(1_020 * MS, 1_080 * MS));
  }

  @Test
  void theSystemClockParksTheCallerUntilTheCallEnds() {
    SimulatedDevice device = new SimulatedDevice(FIXED, SimulatedDevice.Sharing.ONE_QUEUE);
    long start = System.nanoTime();
    device.run(SimulatedDevice.Graph.UNET, 16, false);
    long waited = System.nanoTime() - start;
    assertEquals(true, waited >= 50 * MS, "returned after " + waited / 1e6 + " ms");
  }
}
