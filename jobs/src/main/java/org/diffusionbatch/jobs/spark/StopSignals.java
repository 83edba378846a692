package org.diffusionbatch.jobs.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.diffusionbatch.jobs.model.ExecutorModels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGINT and SIGTERM, handled before the JVM starts shutting down. Once shutdown starts, every
 * shutdown hook runs at once — among them ONNX Runtime's own, which frees its native environment
 * under any model call still running and crashes the JVM (SIGSEGV) — so what must happen first is
 * done here, in the signal's handler: the run records that it was stopped (RunInterruption),
 * model calls in progress finish ({@link ExecutorModels}); then the JVM's own handler takes over
 * and the process exits with 128 + the signal's number.
 */
public final class StopSignals {
  private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);
  /** What runs before the JVM's handler, lowest order first. */
  private static final Map<Integer, Runnable> BEFORE_EXIT = new ConcurrentSkipListMap<>();
  private static volatile String received;
  private static volatile int receivedNumber;
  private static boolean installed;

  /** The run's stop (it records the run as interrupted) comes before the model calls' wait. */
  public static final int RUN_ORDER = 10;
  public static final int MODEL_CALLS_ORDER = RUN_ORDER + 10;
  /** Shutdown hooks: above Spark's SparkShutdownHookManager (FileSystem's 10 + 30), so these run first. */
  public static final int RUN_HOOK_PRIORITY = 50;
  public static final int MODEL_CALLS_HOOK_PRIORITY = RUN_HOOK_PRIORITY + 10;

  private StopSignals() {}

  /** Handles SIGINT and SIGTERM in this JVM (once; later calls do nothing). */
  public static synchronized void install() {
    if (!installed) {
      installed = true;
      watch("INT");
      watch("TERM");
    }
  }

  /** Runs {@code action} when a stop signal arrives, before those with a higher order, until removed. */
  public static void beforeExit(int order, Runnable action) {
    BEFORE_EXIT.put(order, action);
  }

  public static void remove(int order, Runnable action) {
    BEFORE_EXIT.remove(order, action);
  }

  /** "SIGTERM" or "SIGINT" once one arrived, else null. */
  public static String received() {
    return received == null ? null : "SIG" + received;
  }

  /** The exit status the shell expects after the signal (130 for SIGINT, 143 for SIGTERM); 1 when none arrived. */
  public static int exitStatus() {
    return received == null ? 1 : 128 + receivedNumber;
  }

  @SuppressWarnings("restriction")
  private static void watch(String name) {
    try {
      sun.misc.Signal signal = new sun.misc.Signal(name);
      sun.misc.SignalHandler[] previous = new sun.misc.SignalHandler[1];
      previous[0] = sun.misc.Signal.handle(signal, s -> {
        received = name;
        receivedNumber = s.getNumber();
        for (Runnable action : BEFORE_EXIT.values()) {
          try {
            action.run();
          } catch (RuntimeException e) {
            LOG.warn("while stopping on SIG{}: {}", name, e.toString());
          }
        }
        sun.misc.SignalHandler next = previous[0];
        if (next == sun.misc.SignalHandler.SIG_DFL || next == null) {
          System.exit(128 + s.getNumber());
        } else if (next != sun.misc.SignalHandler.SIG_IGN) {
          next.handle(s);
        }
      });
    } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
      // not available (another platform, or the JVM runs with -Xrs): shutdown hooks still run
      LOG.debug("cannot handle SIG{}: {}", name, e.toString());
    }
  }
}
