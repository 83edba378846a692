package org.diffusionbatch.jobs.evaluate;

/** The message worth showing of an exception that may have come back wrapped from a Spark task. */
final class Failures {
  private Failures() {}

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
