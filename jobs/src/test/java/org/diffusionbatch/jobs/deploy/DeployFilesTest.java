package org.diffusionbatch.jobs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The deploy/ files, checked the way their consumers read them: the manifests parse and carry what
 * the spark-operator, EMR and Spark need (GPU scheduling, the S3A magic committer, the job's main
 * class), the Dockerfile's build context exists, and the Kubernetes and EMR/Airflow job arguments
 * are accepted by the job's own parser (the spark-submit script's in {@link DeployScriptsTest}).
 */
class DeployFilesTest {
  static final String MAIN_CLASS = "org.diffusionbatch.jobs.generate.GenerateJob";
  static final Map<String, String> MAGIC_COMMITTER = Map.of(
      "spark.hadoop.fs.s3a.committer.name", "magic",
      "spark.hadoop.fs.s3a.committer.magic.enabled", "true",
      "spark.sql.sources.commitProtocolClass", "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol",
      "spark.sql.parquet.output.committer.class", "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter");
  private static final String SPARK_APPLICATION = "kubernetes/generate-sparkapplication.yaml";
  private static final String NIGHTLY = "kubernetes/generate-nightly-scheduledsparkapplication.yaml";
  private static final String EMR_STEP = "emr/step-generate.json";
  private static final String EMR_CLUSTER = "emr/cluster-config.json";
  private static final String DAG = "emr/airflow/generate_dag.py";

  @Test
  void everyYamlAndJsonFileUnderDeployParses() {
    List<Path> files = DeployFiles.configFiles();
    assertTrue(files.size() >= 5, "expected the Kubernetes and EMR manifests under deploy/, found " + files);
    for (Path file : files) {
      assertFalse(DeployFiles.parse(file).isEmpty(), file + " holds no document");
    }
  }

  @Test
  void brokenYamlDoesNotParse() {
    assertThrows(IOException.class, () -> DeployFiles.yamlDocuments("spec:\n  arguments: [--prompts, x\n  image: y\n"));
  }

  @Test
  void sparkApplicationRunsTheGenerateJobOnGpuExecutorsWithTheMagicCommitter() {
    JsonNode app = DeployFiles.yaml(SPARK_APPLICATION);
    assertEquals("sparkoperator.k8s.io/v1beta2", app.path("apiVersion").asText(), SPARK_APPLICATION);
    assertEquals("SparkApplication", app.path("kind").asText(), SPARK_APPLICATION);
    assertSparkApplicationSpec(app.path("spec"), SPARK_APPLICATION + " spec");
  }

  @Test
  void nightlyScheduleForbidsOverlappingRunsKeepsHistoryAndDatesItsOutput() {
    JsonNode scheduled = DeployFiles.yaml(NIGHTLY);
    JsonNode spec = scheduled.path("spec");
    assertEquals("sparkoperator.k8s.io/v1beta2", scheduled.path("apiVersion").asText(), NIGHTLY);
    assertEquals("ScheduledSparkApplication", scheduled.path("kind").asText(), NIGHTLY);
    assertEquals(5, spec.path("schedule").asText().trim().split("\\s+").length, NIGHTLY + " spec.schedule is not a 5-field cron");
    assertEquals("Forbid", spec.path("concurrencyPolicy").asText(), NIGHTLY + " spec.concurrencyPolicy");
    assertTrue(spec.path("successfulRunHistoryLimit").isInt() && spec.path("successfulRunHistoryLimit").asInt() >= 1,
        NIGHTLY + " spec.successfulRunHistoryLimit");
    assertTrue(spec.path("failedRunHistoryLimit").isInt() && spec.path("failedRunHistoryLimit").asInt() >= 1,
        NIGHTLY + " spec.failedRunHistoryLimit");
    JsonNode template = spec.path("template");
    assertSparkApplicationSpec(template, NIGHTLY + " spec.template");
    List<String> arguments = strings(template.path("arguments"));
    assertTrue(valueOf(arguments, "--output").contains("{run_date}"),
        NIGHTLY + ": --output must carry {run_date} so nightly runs never share an output");
    assertTrue(arguments.contains("--resume"), NIGHTLY + ": a retried run must --resume, not stop at its own output");
    assertEquals("OnFailure", template.path("restartPolicy").path("type").asText(), NIGHTLY + " restartPolicy.type");
  }

  @Test
  void serviceAccountGetsS3AccessFromAnIamRoleAndMayCreateExecutorPods() {
    List<JsonNode> documents = DeployFiles.parse(DeployFiles.deploy("kubernetes/service-account.yaml"));
    JsonNode account = only(documents, "ServiceAccount");
    assertTrue(account.path("metadata").path("annotations").path("eks.amazonaws.com/role-arn").asText().startsWith("arn:aws:iam::"),
        "service-account.yaml: the ServiceAccount needs the IRSA role annotation");
    JsonNode role = only(documents, "Role");
    boolean podsCreatable = StreamSupport.stream(role.path("rules").spliterator(), false)
        .anyMatch(r -> strings(r.path("resources")).contains("pods") && strings(r.path("verbs")).containsAll(List.of("create", "delete")));
    assertTrue(podsCreatable, "service-account.yaml: the driver's Role must create and delete pods");
    assertEquals(account.path("metadata").path("name").asText(),
        DeployFiles.yaml(SPARK_APPLICATION).path("spec").path("driver").path("serviceAccount").asText(),
        "the SparkApplication's driver must run as the ServiceAccount of service-account.yaml");
  }

  @Test
  void emrStepRunsSparkSubmitThroughCommandRunnerWithGpuAndCommitterSettings() {
    JsonNode steps = DeployFiles.jsonFile(EMR_STEP);
    assertTrue(steps.isArray() && steps.size() == 1, EMR_STEP + " should be a list of one step");
    JsonNode step = steps.get(0);
    assertTrue(Set.of("TERMINATE_CLUSTER", "CANCEL_AND_WAIT", "CONTINUE").contains(step.path("ActionOnFailure").asText()),
        EMR_STEP + " ActionOnFailure");
    assertEquals("command-runner.jar", step.path("HadoopJarStep").path("Jar").asText(), EMR_STEP + " HadoopJarStep.Jar");
    assertSparkSubmit(strings(step.path("HadoopJarStep").path("Args")), EMR_STEP + " Args");
  }

  @Test
  void emrClusterConfigurationSchedulesGpusInYarn() {
    JsonNode classifications = DeployFiles.jsonFile(EMR_CLUSTER);
    assertTrue(classifications.isArray() && classifications.size() > 0, EMR_CLUSTER + " should be a list of classifications");
    JsonNode yarn = classification(classifications, "yarn-site").path("Properties");
    assertTrue(yarn.path("yarn.resource-types").asText().contains("yarn.io/gpu"), EMR_CLUSTER + " yarn-site yarn.resource-types");
    assertTrue(yarn.path("yarn.nodemanager.resource-plugins").asText().contains("yarn.io/gpu"),
        EMR_CLUSTER + " yarn-site yarn.nodemanager.resource-plugins");
    JsonNode gpuModule = classification(classification(classifications, "container-executor").path("Configurations"), "gpu");
    assertEquals("true", gpuModule.path("Properties").path("module.enabled").asText(), EMR_CLUSTER + " container-executor gpu module.enabled");
    assertEquals("org.apache.hadoop.yarn.util.resource.DominantResourceCalculator",
        classification(classifications, "capacity-scheduler").path("Properties").path("yarn.scheduler.capacity.resource-calculator").asText(),
        EMR_CLUSTER + ": YARN only counts GPUs with the DominantResourceCalculator");
    assertEquals("1", classification(classifications, "spark-defaults").path("Properties").path("spark.executor.resource.gpu.amount").asText(),
        EMR_CLUSTER + " spark-defaults spark.executor.resource.gpu.amount");
  }

  @Test
  void airflowDagSubmitsTheEmrStepsSparkSettingsWithTheRunDateInItsPaths() {
    String dag = DeployFiles.text(DAG);
    List<String> command = new ArrayList<>(PythonStringList.read(dag, "SPARK_SUBMIT_ARGS"));
    command.addAll(PythonStringList.read(dag, "JOB_ARGS"));
    assertSparkSubmit(command, DAG);
    Map<String, String> stepConf = SparkSubmitCommand.split(strings(
        DeployFiles.jsonFile(EMR_STEP).get(0).path("HadoopJarStep").path("Args"))).conf();
    assertEquals(stepConf, SparkSubmitCommand.split(command).conf(), DAG + " and " + EMR_STEP + " should submit with the same --conf settings");
    List<String> jobArguments = SparkSubmitCommand.split(command).jobArguments();
    assertTrue(valueOf(jobArguments, "--output").contains("{{ ds }}"), DAG + ": --output must carry {{ ds }}");
    for (String setting : List.of("catchup=False", "max_active_runs=1", "EmrAddStepsOperator(", "EmrStepSensor(")) {
      assertTrue(dag.contains(setting), DAG + " should have " + setting);
    }
  }

  @Test
  void everyBuildContextFileTheDockerfileCopiesExistsAndIsNotIgnored() {
    String dockerfile = DeployFiles.text("docker/Dockerfile");
    List<String> sources = DockerfileCopies.contextSources(dockerfile);
    assertTrue(dockerfile.contains("deploy/build-app.sh"), "the Dockerfile should build the app with deploy/build-app.sh");
    Path root = DeployFiles.repoRoot();
    List<String> needed = new ArrayList<>(sources);
    needed.addAll(List.of("deploy/build-app.sh", "pom.xml", "core/pom.xml", "jobs/pom.xml"));
    List<String> ignorePatterns = DeployFiles.text("docker/Dockerfile.dockerignore").lines()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    for (String source : needed) {
      assertTrue(Files.exists(root.resolve(source)), "deploy/docker/Dockerfile needs " + source + ", which is not in the repository");
      for (String pattern : ignorePatterns) {
        var matcher = root.getFileSystem().getPathMatcher("glob:" + pattern);
        // Docker leaves out a matching folder with everything in it.
        for (Path path = Path.of(source); path != null; path = path.getParent()) {
          assertFalse(matcher.matches(path),
              "deploy/docker/Dockerfile.dockerignore pattern " + pattern + " leaves " + source + " out of the build context");
        }
      }
    }
  }

  @Test
  void dockerfileCopiesSkipOtherStagesAndFlagsAndReadBothForms() {
    String dockerfile = """
        FROM a AS build
        # COPY commented/out /x
        COPY --from=build /out/lib/ /opt/lib/
        COPY --chown=185:185 missing/file \\
             other/file /dst/
        COPY ["with space", "/dst/"]
        """;
    assertEquals(List.of("missing/file", "other/file", "with space"), DockerfileCopies.contextSources(dockerfile));
  }

  @Test
  void jobArgumentsOfTheKubernetesAndEmrFilesAreAcceptedByTheGenerateCommand() {
    Map<String, List<String>> sources = new LinkedHashMap<>();
    sources.put(SPARK_APPLICATION, strings(DeployFiles.yaml(SPARK_APPLICATION).path("spec").path("arguments")));
    sources.put(NIGHTLY, strings(DeployFiles.yaml(NIGHTLY).path("spec").path("template").path("arguments")));
    sources.put(EMR_STEP, SparkSubmitCommand.split(strings(
        DeployFiles.jsonFile(EMR_STEP).get(0).path("HadoopJarStep").path("Args"))).jobArguments());
    sources.put(DAG, PythonStringList.read(DeployFiles.text(DAG), "JOB_ARGS"));
    List<String> rejected = new ArrayList<>();
    sources.forEach((file, arguments) -> {
      assertFalse(arguments.isEmpty(), file + " passes no arguments to the job");
      // The job's default model is the tiny test model: a cluster run names its real one.
      assertTrue(arguments.contains("--model"), file + " should give the job --model");
      try {
        GenerateArguments.parse(arguments);
      } catch (RuntimeException e) {
        rejected.add(file + ": " + e.getMessage() + " in " + arguments);
      }
    });
    if (!rejected.isEmpty()) {
      fail("the job's parser rejects deploy/ arguments:\n" + String.join("\n", rejected));
    }
  }

  @Test
  void anUnknownJobOptionIsRejected() {
    assertThrows(RuntimeException.class,
        () -> GenerateArguments.parse(List.of("--prompts", "p.txt", "--output", "out", "--outptu-typo", "x")));
  }

  /** What the spark-operator needs to run the job on GPU executors and commit through S3A. */
  private static void assertSparkApplicationSpec(JsonNode spec, String where) {
    assertEquals("Java", spec.path("type").asText(), where + ".type");
    assertEquals(MAIN_CLASS, spec.path("mainClass").asText(), where + ".mainClass");
    assertFalse(spec.path("image").asText().isBlank(), where + ".image");
    String mainFile = spec.path("mainApplicationFile").asText();
    assertTrue(mainFile.startsWith("local://") && DeployFiles.text("docker/Dockerfile").contains(mainFile.substring("local://".length())),
        where + ".mainApplicationFile " + mainFile + " should be the jar the Dockerfile puts in the image");
    JsonNode gpu = spec.path("executor").path("gpu");
    assertEquals("nvidia.com/gpu", gpu.path("name").asText(), where + ".executor.gpu.name");
    assertEquals(1, gpu.path("quantity").asInt(), where + ".executor.gpu.quantity");
    Map<String, String> conf = new LinkedHashMap<>();
    spec.path("sparkConf").fields().forEachRemaining(e -> conf.put(e.getKey(), e.getValue().asText()));
    assertEquals("nvidia.com", conf.get("spark.executor.resource.gpu.vendor"), where + ".sparkConf: Kubernetes needs the GPU vendor");
    assertGpuAndCommitterConf(conf, spec.path("executor").path("cores").asInt(), where + ".sparkConf");
    assertFalse(spec.path("driver").path("serviceAccount").asText().isBlank(), where + ".driver.serviceAccount");
  }

  /** A spark-submit command line (EMR step, DAG) for the generate job on YARN GPU executors. */
  private static void assertSparkSubmit(List<String> command, String where) {
    assertFalse(command.isEmpty(), where + " is empty");
    assertEquals("spark-submit", Path.of(command.get(0)).getFileName().toString(), where + " should start with spark-submit");
    SparkSubmitCommand submit = SparkSubmitCommand.split(command);
    assertEquals(MAIN_CLASS, submit.option("--class"), where + " --class");
    Map<String, String> conf = submit.conf();
    assertGpuAndCommitterConf(conf, Integer.parseInt(conf.getOrDefault("spark.executor.cores", "0")), where);
    assertDjlOfflineOnYarn(conf, where);
  }

  /**
   * DJL offline and without telemetry in YARN's driver and executors, as the image's environment
   * has it: otherwise every JVM asks the EC2 metadata service for its instance id and reports it.
   */
  static void assertDjlOfflineOnYarn(Map<String, String> conf, String where) {
    for (String prefix : List.of("spark.executorEnv.", "spark.yarn.appMasterEnv.")) {
      for (String variable : List.of("DJL_OFFLINE", "OPT_OUT_TRACKING")) {
        assertEquals("true", conf.get(prefix + variable), where + " " + prefix + variable);
      }
    }
  }

  private static void assertGpuAndCommitterConf(Map<String, String> conf, int executorCores, String where) {
    MAGIC_COMMITTER.forEach((key, value) -> assertEquals(value, conf.get(key), where + " " + key));
    assertEquals("1", conf.get("spark.executor.resource.gpu.amount"), where + " spark.executor.resource.gpu.amount");
    assertFalse(conf.getOrDefault("spark.executor.resource.gpu.discoveryScript", "").isBlank(),
        where + " spark.executor.resource.gpu.discoveryScript");
    double taskShare = Double.parseDouble(conf.getOrDefault("spark.task.resource.gpu.amount", "0"));
    assertTrue(taskShare > 0 && taskShare <= 1, where + " spark.task.resource.gpu.amount in (0, 1]");
    // As many tasks fit the GPU as the cores: neither the cores nor the GPU share sit idle.
    assertEquals(1.0, executorCores * taskShare, 1e-9,
        where + ": executor cores (" + executorCores + ") x spark.task.resource.gpu.amount (" + taskShare + ") should be the executor's 1 GPU");
    for (String key : conf.keySet()) {
      assertFalse(key.matches(".*(access\\.key|secret\\.key|session\\.token).*"), where + " puts credentials in " + key);
    }
  }

  private static JsonNode classification(JsonNode list, String name) {
    for (JsonNode c : list) {
      if (name.equals(c.path("Classification").asText())) {
        return c;
      }
    }
    throw new AssertionError("no classification " + name + " in " + list);
  }

  private static JsonNode only(List<JsonNode> documents, String kind) {
    List<JsonNode> matching = documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    assertEquals(1, matching.size(), "expected one " + kind);
    return matching.get(0);
  }

  static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  private static String valueOf(List<String> arguments, String option) {
    int i = arguments.indexOf(option);
    assertTrue(i >= 0 && i + 1 < arguments.size(), option + " missing in " + arguments);
    return arguments.get(i + 1);
  }
}
