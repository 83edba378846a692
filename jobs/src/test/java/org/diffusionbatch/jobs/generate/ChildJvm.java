package org.diffusionbatch.jobs.generate;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A job run in its own JVM, as a user starts one: this JVM's classpath and --add-opens flags, its
 * standard output and error (the log included) captured to files, signals delivered as a shell would.
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private ChildJvm(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Starts {@code mainClass} with the arguments; {@code jvmOptions} are extra -D settings. */
  static ChildJvm start(Path dir, String mainClass, List<String> jvmOptions, List<String> args) throws IOException {
    Files.createDirectories(dir);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (option.startsWith("--add-opens") || option.startsWith("-Djdk.reflect") || option.startsWith("-Dio.netty")
          || option.startsWith("-XX:+IgnoreUnrecognized")) {
        command.add(option);
      }
    }
    command.add("-Xmx1g");
    command.addAll(jvmOptions);
    // The classpath is long: an @argfile keeps the command line short.
    Path argFile = dir.resolve("classpath.args");
    Files.writeString(argFile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
    command.add("@" + argFile);
    command.add(mainClass);
    command.addAll(args);
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    return new ChildJvm(process, stdout, stderr);
  }

  long pid() {
    return process.pid();
  }

  /** Waits until the condition holds, failing with the child's output if it exits or the time runs out first. */
  void awaitCondition(String what, Duration timeout, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new AssertionError("the child exited (" + process.exitValue() + ") before " + what + ":\n" + output());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + ":\n" + output());
      }
      Thread.sleep(200);
    }
  }

  void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
    }
  }

  int awaitExit(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the child did not exit within " + timeout + ":\n" + output());
    }
    return process.exitValue();
  }

  String stdout() throws IOException {
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  String stderr() throws IOException {
    return Files.readString(stderr, StandardCharsets.UTF_8);
  }

  String output() throws IOException {
    return "--- stdout\n" + stdout() + "--- stderr\n" + stderr();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
