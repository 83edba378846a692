package org.diffusionbatch.jobs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell scripts under deploy/ and .ci/deploy-checks.sh, run for real with bash: the
 * spark-submit script against a stand-in spark-submit that prints what it was given, the image's
 * run-date entrypoint against a stand-in for Spark's entrypoint, the CI checks against a broken copy.
 */
class DeployScriptsTest {
  private static final List<String> REQUIRED_JOB_ARGS =
      List.of("--prompts", "s3://b/prompts.jsonl", "--output", "s3a://b/images/run1", "--model", "s3://b/models/sd15/");

  @TempDir Path temp;

  @Test
  void submitScriptPassesJobOptionsAfterTheJarWithGpuAndMagicCommitterSettings() throws Exception {
    ScriptRun run = submit(Map.of("SPARK_MASTER", "yarn"), REQUIRED_JOB_ARGS);
    assertEquals(0, run.exitCode(), run.toString());
    SparkSubmitCommand command = SparkSubmitCommand.split(run.stdoutLines());
    assertEquals(DeployFilesTest.MAIN_CLASS, command.option("--class"));
    assertEquals("yarn", command.option("--master"));
    assertTrue(command.applicationJar().endsWith("/app/diffusion-batch-jobs.jar"), command.applicationJar());
    assertTrue(command.option("--jars").contains("/app/lib/core.jar") && command.option("--jars").contains("/app/hadoop-cloud/hadoop-aws.jar"),
        "--jars should carry lib/ and hadoop-cloud/: " + command.option("--jars"));
    Map<String, String> conf = command.conf();
    DeployFilesTest.MAGIC_COMMITTER.forEach((key, value) -> assertEquals(value, conf.get(key), key));
    assertEquals("1", conf.get("spark.executor.resource.gpu.amount"));
    assertEquals("0.25", conf.get("spark.task.resource.gpu.amount"));
    assertEquals("./getGpusResources.sh", conf.get("spark.executor.resource.gpu.discoveryScript"));
    assertTrue(command.jobArguments().containsAll(REQUIRED_JOB_ARGS), command.jobArguments().toString());
    assertEquals(List.of("--device", "gpu"), command.jobArguments().subList(0, 2), "the GPU default comes first");
    DeployFilesTest.assertDjlOfflineOnYarn(conf, "submit-generate.sh on YARN");
    assertTrue(run.stderr().contains("driver env: DJL_OFFLINE=true OPT_OUT_TRACKING=true"), "client-mode driver: " + run.stderr());
    assertFalse(conf.containsKey("spark.cores.max"), "YARN honours spark.executor.instances: " + conf);
  }

  @Test
  void submitScriptCapsAStandaloneApplicationAtTheExecutorsAskedFor() throws Exception {
    // A standalone master ignores spark.executor.instances: without spark.cores.max the job takes
    // every free core and GPU of the cluster.
    Map<String, String> conf = SparkSubmitCommand.split(
        submit(Map.of("SPARK_MASTER", "spark://master:7077"), REQUIRED_JOB_ARGS).stdoutLines()).conf();
    assertEquals("8", conf.get("spark.cores.max"), "2 executors x 4 cores by default");
    Map<String, String> three = SparkSubmitCommand.split(submit(
        Map.of("SPARK_MASTER", "spark://master:7077", "EXECUTOR_INSTANCES", "3", "EXECUTOR_CORES", "2"), REQUIRED_JOB_ARGS)
        .stdoutLines()).conf();
    assertEquals("6", three.get("spark.cores.max"));
    assertEquals("3", three.get("spark.executor.instances"));
    assertEquals("true", three.get("spark.executorEnv.DJL_OFFLINE"));
    ScriptRun bad = submit(Map.of("SPARK_MASTER", "spark://master:7077", "EXECUTOR_INSTANCES", "two"), REQUIRED_JOB_ARGS);
    assertEquals(2, bad.exitCode(), bad.toString());
    assertTrue(bad.stderr().contains("EXECUTOR_INSTANCES='two'"), bad.stderr());
  }

  @Test
  void submitScriptJobArgumentsAreAcceptedByTheGenerateCommand() throws Exception {
    ScriptRun run = submit(Map.of("SPARK_MASTER", "spark://master:7077"), REQUIRED_JOB_ARGS);
    assertEquals(0, run.exitCode(), run.toString());
    GenerateArguments.parse(SparkSubmitCommand.split(run.stdoutLines()).jobArguments());
  }

  @Test
  void submitScriptLeavesAnOptionTheCallerGaveToTheCaller() throws Exception {
    List<String> args = Stream.concat(REQUIRED_JOB_ARGS.stream(), Stream.of("--device=auto")).toList();
    ScriptRun run = submit(Map.of("SPARK_MASTER", "yarn"), args);
    assertEquals(0, run.exitCode(), run.toString());
    List<String> jobArguments = SparkSubmitCommand.split(run.stdoutLines()).jobArguments();
    assertFalse(jobArguments.contains("--device"), "the default --device gpu must not be added: " + jobArguments);
    assertEquals(1, Collections.frequency(jobArguments, "--device=auto"), jobArguments.toString());
  }

  @Test
  void submitScriptStopsWithExit2WhenTheOutputIsMissing() throws Exception {
    ScriptRun run = submit(Map.of("SPARK_MASTER", "yarn"), REQUIRED_JOB_ARGS.subList(0, 2));
    assertEquals(2, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("--output"), run.stderr());
    assertEquals("", run.stdout(), "spark-submit must not have run");
  }

  @Test
  void submitScriptRefusesCredentialsOnTheCommandLine() throws Exception {
    List<String> args = Stream.concat(REQUIRED_JOB_ARGS.stream(),
        Stream.of("--conf", "spark.hadoop.fs.s3a.secret.key=abc")).toList();
    ScriptRun run = submit(Map.of("SPARK_MASTER", "yarn"), args);
    assertEquals(2, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("credentials"), run.stderr());
    assertEquals("", run.stdout(), "spark-submit must not have run");
  }

  @Test
  void submitScriptNamesAMissingSparkHome() throws Exception {
    Path script = DeployFiles.deploy("spark-submit/submit-generate.sh");
    ScriptRun run = ScriptRun.bash(script, Map.of("SPARK_HOME", "", "SPARK_MASTER", "yarn", "DIFFUSION_BATCH_APP", temp.toString()),
        REQUIRED_JOB_ARGS);
    assertEquals(2, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("SPARK_HOME"), run.stderr());
  }

  @Test
  void runDateEntrypointPutsTheUtcDateIntoTheArguments() throws Exception {
    LocalDate before = LocalDate.now(ZoneOffset.UTC);
    ScriptRun run = entrypoint(Map.of(), List.of("driver", "--output", "s3a://b/images/dt={run_date}", "--resume"));
    LocalDate after = LocalDate.now(ZoneOffset.UTC);
    assertEquals(0, run.exitCode(), run.toString());
    String output = run.stdoutLines().get(2);
    assertTrue(output.equals("s3a://b/images/dt=" + before) || output.equals("s3a://b/images/dt=" + after), output);
    assertEquals(List.of("driver", "--output"), run.stdoutLines().subList(0, 2));
    assertEquals("--resume", run.stdoutLines().get(3));
  }

  @Test
  void runDateEntrypointTakesRunDateFromTheEnvironmentAndRejectsAMalformedOne() throws Exception {
    ScriptRun pinned = entrypoint(Map.of("RUN_DATE", "2026-01-31"), List.of("executor", "a {run_date} b"));
    assertEquals(List.of("executor", "a 2026-01-31 b"), pinned.stdoutLines(), pinned.toString());
    ScriptRun malformed = entrypoint(Map.of("RUN_DATE", "31.01.2026"), List.of("driver"));
    assertEquals(2, malformed.exitCode(), malformed.toString());
    assertEquals("", malformed.stdout());
  }

  @Test
  void deployChecksPassOnTheRepository() throws Exception {
    // CI runs .ci/deploy-checks.sh before mvn verify, and it installs ShellCheck or fails; here the
    // test needs it installed to say anything about the lint.
    Assumptions.assumeTrue(onPath("shellcheck") != null,
        "shellcheck is not installed: .ci/deploy-checks.sh (run first by .ci/run) installs it or fails");
    Path root = DeployFiles.repoRoot();
    ScriptRun run = ScriptRun.bash(root.resolve(".ci/deploy-checks.sh"), Map.of("DEPLOY_CHECKS_INSTALL", "0"), List.of(root.toString()));
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("shell scripts, the DAG and the JSON files under deploy/ pass"), run.stderr());
  }

  @Test
  void deployChecksFailWhenShellCheckIsMissing() throws Exception {
    // A PATH with every tool the checks use except ShellCheck, and installing it not allowed.
    Path bin = Files.createDirectories(temp.resolve("bin-without-shellcheck"));
    for (String tool : List.of("bash", "find", "sort", "head", "grep", "dirname", "id", "mktemp", "rm", "python3")) {
      // The system's copy first: a version manager's shim on PATH (pyenv) needs more than this PATH.
      Path system = Path.of("/usr/bin", tool);
      Path found = Files.isExecutable(system) ? system : onPath(tool);
      if (found != null) {
        Files.createSymbolicLink(bin.resolve(tool), found);
      }
    }
    Path root = DeployFiles.repoRoot();
    ScriptRun run;
    try {
      run = ScriptRun.bash(root.resolve(".ci/deploy-checks.sh"),
          Map.of("DEPLOY_CHECKS_INSTALL", "0", "PATH", bin.toString()), List.of(root.toString()));
    } finally {
      try (Stream<Path> links = Files.list(bin)) {
        for (Path link : links.toList()) {
          Files.delete(link);
        }
      }
    }
    assertEquals(1, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("deploy-checks: FAIL shellcheck is not installed"), run.stderr());
    assertTrue(run.stderr().contains("deploy-checks: 1 check(s) failed"), "only the lint should fail: " + run.stderr());
  }

  /** The executable of that name on this JVM's PATH, or null. */
  private static Path onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
      if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
        return candidate.toAbsolutePath();
      }
    }
    return null;
  }

  @Test
  void deployChecksFailOnABrokenScriptAndABrokenDag() throws Exception {
    Path root = DeployFiles.repoRoot();
    Path copy = temp.resolve("repo");
    copyTree(root.resolve("deploy"), copy.resolve("deploy"));
    copyTree(root.resolve(".ci"), copy.resolve(".ci"));
    Files.writeString(copy.resolve("deploy/spark-submit/submit-generate.sh"), "\nif then fi\n", StandardOpenOption.APPEND);
    Files.writeString(copy.resolve("deploy/emr/airflow/generate_dag.py"), "\ndef broken(:\n", StandardOpenOption.APPEND);
    ScriptRun run = ScriptRun.bash(copy.resolve(".ci/deploy-checks.sh"), Map.of("DEPLOY_CHECKS_INSTALL", "0"), List.of(copy.toString()));
    assertEquals(1, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("bash -n deploy/spark-submit/submit-generate.sh"), run.stderr());
    assertTrue(run.stderr().contains("py_compile deploy/emr/airflow/generate_dag.py"), run.stderr());
  }

  /** Runs submit-generate.sh with a stand-in SPARK_HOME whose spark-submit prints its arguments. */
  private ScriptRun submit(Map<String, String> env, List<String> jobArgs) throws IOException, InterruptedException {
    Path sparkHome = temp.resolve("spark");
    executable(sparkHome.resolve("bin/spark-submit"),
        "#!/bin/sh\nprintf '%s\\n' \"$@\"\necho \"driver env: DJL_OFFLINE=$DJL_OFFLINE OPT_OUT_TRACKING=$OPT_OUT_TRACKING\" >&2\n");
    executable(sparkHome.resolve("examples/src/main/scripts/getGpusResources.sh"), "#!/bin/sh\n");
    Path app = temp.resolve("app");
    for (String jar : List.of("diffusion-batch-jobs.jar", "lib/core.jar", "hadoop-cloud/hadoop-aws.jar")) {
      Files.createDirectories(app.resolve(jar).getParent());
      Files.writeString(app.resolve(jar), "");
    }
    Map<String, String> all = new HashMap<>(Map.of("SPARK_HOME", sparkHome.toString(), "DIFFUSION_BATCH_APP", app.toString()));
    all.putAll(env);
    return ScriptRun.bash(DeployFiles.deploy("spark-submit/submit-generate.sh"), all, jobArgs);
  }

  /** Runs the image's run-date entrypoint with a stand-in Spark entrypoint that prints its arguments. */
  private ScriptRun entrypoint(Map<String, String> env, List<String> args) throws IOException, InterruptedException {
    Path spark = temp.resolve("spark-entrypoint.sh");
    executable(spark, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
    Map<String, String> all = new HashMap<>(Map.of("SPARK_ENTRYPOINT", spark.toString(), "RUN_DATE", ""));
    all.putAll(env);
    return ScriptRun.bash(DeployFiles.deploy("docker/run-date-entrypoint.sh"), all, args);
  }

  private static void executable(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : files.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
  }
}
