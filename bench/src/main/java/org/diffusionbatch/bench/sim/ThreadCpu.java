package org.diffusionbatch.bench.sim;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time of this JVM's threads grouped by role (Spark task threads, the PNG pool, S3A upload
 * threads, the in-process S3Proxy server, the rest), read from the ThreadMXBean. Snapshots are taken
 * often enough that threads which end between two snapshots are still counted up to the last one.
 */
public final class ThreadCpu {

  /** What a thread does, from its name. */
  public enum Role {
    TASK("Spark task threads and their feeder threads (the model's calls)", "Executor task launch worker.*|diffusionbatch-feed-.*"),
    PNG_POOL("PNG pool", "diffusionbatch-png-.*"),
    UPLOAD("S3A upload threads", "s3a-transfer-.*|sdk-async-response.*|aws-java-sdk.*"),
    S3_SERVER("S3Proxy server (in-process stand-in for S3)", "qtp.*|S3Proxy.*|user thread.*|jclouds.*"),
    OTHER("other JVM threads (driver, scheduler, shuffle, progress)", ".*");

    private final String label;
    private final Pattern names;

    Role(String label, String names) {
      this.label = label;
      this.names = Pattern.compile(names);
    }

    public String label() {
      return label;
    }

    static Role of(String threadName) {
      for (Role role : values()) {
        if (role.names.matcher(threadName).matches()) {
          return role;
        }
      }
      return OTHER;
    }
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** Last seen CPU nanoseconds per thread id, and each thread's role. */
  private final Map<Long, long[]> seen = new LinkedHashMap<>();

  /** Reads every live thread's CPU time; returns the totals by role (threads gone since counted at their last reading). */
  public synchronized Snapshot snapshot() {
    long[] ids = THREADS.getAllThreadIds();
    long[] cpu = THREADS.getThreadCpuTime(ids);
    java.lang.management.ThreadInfo[] infos = THREADS.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      if (cpu[i] < 0 || infos[i] == null) {
        continue;
      }
      long[] entry = seen.computeIfAbsent(ids[i], id -> new long[2]);
      entry[0] = cpu[i];
      entry[1] = Role.of(infos[i].getThreadName()).ordinal();
    }
    long[] byRole = new long[Role.values().length];
    for (long[] entry : seen.values()) {
      byRole[(int) entry[1]] += entry[0];
    }
    return new Snapshot(System.nanoTime(), OS.getProcessCpuTime(), byRole);
  }

  /**
   * @param processNanos the whole process's CPU (threads not visible as Java threads too: GC, JIT compilers)
   * @param byRole Java threads' CPU by {@link Role} ordinal
   */
  public record Snapshot(long at, long processNanos, long[] byRole) {

    /** CPU used between {@code earlier} and this snapshot, by role, plus "GC and JIT" (process CPU no Java thread accounts for). */
    public Map<String, Long> since(Snapshot earlier) {
      Map<String, Long> out = new LinkedHashMap<>();
      long threads = 0;
      for (Role role : Role.values()) {
        long delta = byRole[role.ordinal()] - earlier.byRole[role.ordinal()];
        out.put(role.label(), delta);
        threads += delta;
      }
      out.put("GC and JIT compiler threads", Math.max(0, (processNanos - earlier.processNanos) - threads));
      return out;
    }
  }
}
