package org.diffusionbatch.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The benchmark thread's CPU time per operation, printed after each iteration: on a shared,
 * loaded machine wall time also counts waiting for a core, CPU time does not (cache and memory
 * contention still show). A benchmark method takes this state and calls {@link #count(int)}.
 */
@State(Scope.Thread)
public class CpuTimePerOperation {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private long startCpu;
  private long startWall;
  private long operations;

  @Setup(Level.Iteration)
  public void start() {
    operations = 0;
    startCpu = THREADS.getCurrentThreadCpuTime();
    startWall = System.nanoTime();
  }

  public void count(int n) {
    operations += n;
  }

  @TearDown(Level.Iteration)
  public void report() {
    if (operations > 0) {
      double cpuMs = (THREADS.getCurrentThreadCpuTime() - startCpu) / 1e6 / operations;
      double wallMs = (System.nanoTime() - startWall) / 1e6 / operations;
      System.out.printf(" [cpu %.4g ms/op, wall %.4g ms/op, %d ops]", cpuMs, wallMs, operations);
    }
  }
}
