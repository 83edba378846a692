package org.diffusionbatch.jobs.generate;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.diffusionbatch.jobs.model.ImageMakerFactory;

/** A generate run in this JVM with what it printed: the exit code, standard output and standard error. */
record Probe(int code, String out, String err) {

  static {
    // Logging starts with the real standard error, before any probe captures it.
    org.slf4j.LoggerFactory.getLogger(Probe.class).debug("probe");
  }

  /** One line from the job (starting with "generate:") and no stack trace anywhere on standard error. */
  boolean saidOneLine() {
    return said().size() == 1 && err.lines().noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by"));
  }

  /** The lines the job said (starting with "generate:"), without the log's lines. */
  java.util.List<String> said() {
    return err.lines().filter(l -> l.startsWith("generate:")).toList();
  }

  static Probe run(String... args) {
    return run(null, args);
  }

  static Probe run(ImageMakerFactory factory, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    System.setOut(new PrintStream(out, true));
    System.setErr(new PrintStream(err, true));
    int code;
    try {
      code = Runs.generate(factory, args);
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
    // S3Proxy's jclouds prints SLF4J 1.x notices on first use in a JVM; they are the fixture's, not the job's.
    String said = err.toString().lines().filter(l -> !l.startsWith("SLF4J")).map(l -> l + "\n").reduce("", String::concat);
    Probe probe = new Probe(code, out.toString(), said);
    stdout.print(probe.out());
    stderr.print(probe.err());
    return probe;
  }

  @Override
  public String toString() {
    return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
