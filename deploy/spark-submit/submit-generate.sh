#!/usr/bin/env bash
# Submits the generate job to a Spark standalone or YARN cluster: GPU executors scheduled by
# Spark, output written through the S3A magic committer, S3 credentials from the environment or
# the instance profile. Every argument goes to the job (see ./diffusion-batch generate --help).
#
# Usage:
#   SPARK_MASTER=yarn DIFFUSION_BATCH_APP=/opt/diffusion-batch \
#     deploy/spark-submit/submit-generate.sh --prompts s3://b/prompts.jsonl \
#       --output s3a://b/images/run1 --model s3://b/models/sd15-onnx/ [more job options]
#
# Environment (required):
#   SPARK_HOME            a Spark 4.0.1 (Scala 2.13) installation; its bin/spark-submit is used
#   SPARK_MASTER          yarn, or spark://HOST:7077 for a standalone cluster
#   DIFFUSION_BATCH_APP   the folder deploy/build-app.sh made (diffusion-batch-jobs.jar, lib/,
#                         hadoop-cloud/), or /opt/diffusion-batch in the image
# Environment (optional, defaults in brackets):
#   DEPLOY_MODE [client]  client: this shell gets the job's exit code (0, 3 = some rows failed,
#                         2 = bad arguments, 1 = failure); cluster: the driver runs on the cluster
#   EXECUTOR_INSTANCES [2]  EXECUTOR_CORES [4]  EXECUTOR_MEMORY [16g]  (standalone: the script sets
#                         spark.cores.max to instances x cores, as standalone ignores the instances)
#   EXECUTOR_MEMORY_OVERHEAD [8g]  (ONNX Runtime's native memory lives outside the Java heap)
#   DRIVER_MEMORY [4g]  DRIVER_MEMORY_OVERHEAD [8g]  (cluster mode: the driver loads the model
#                         once, outside the Java heap, to check the run before any work)
#   GPUS_PER_EXECUTOR [1]  0 runs on CPUs (and the job's default --device becomes cpu)
#   TASK_GPU_AMOUNT [0.25] GPU share per task: 0.25 lets 4 tasks (= EXECUTOR_CORES) share the
#                         executor's GPU and the one model loaded per executor JVM, so one task's
#                         CPU work (text encoding, sampler, PNG, Parquet) overlaps another's UNet
#                         calls; 1 would leave 3 cores idle and the GPU waiting on each task's CPU work
#   GPU_DISCOVERY_SCRIPT [$SPARK_HOME/examples/src/main/scripts/getGpusResources.sh]
#                         YARN: shipped with --files. Standalone: workers discover GPUs themselves
#                         (SPARK_WORKER_OPTS="-Dspark.worker.resource.gpu.amount=N
#                         -Dspark.worker.resource.gpu.discoveryScript=/path/getGpusResources.sh")
#   SPARK_SUBMIT_EXTRA    extra spark-submit words, e.g. "--queue gpu --conf spark.eventLog.enabled=true"
set -euo pipefail

# Job options every run gets unless the caller gives the same option: GPU executors must fail
# loudly rather than fall back to a CPU, and the model is cached on each node's local disk.
default_job_args=(--device gpu --model-cache /tmp/diffusion-batch/model-cache)

die() { echo "submit-generate.sh: $*" >&2; exit 2; }
# The header comment, without its '# ', is the usage text.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

has_option() {
  local name="$1" arg
  shift
  for arg in "$@"; do
    if [[ "$arg" == "$name" || "$arg" == "$name="* ]]; then return 0; fi
  done
  return 1
}

if [ $# -eq 0 ] || has_option --help "$@" || has_option -h "$@"; then usage; exit 0; fi

[ -n "${SPARK_HOME:-}" ] || die "SPARK_HOME is not set: point it at a Spark 4.0.1 (Scala 2.13) installation"
[ -x "$SPARK_HOME/bin/spark-submit" ] || die "$SPARK_HOME/bin/spark-submit is missing or not executable (SPARK_HOME=$SPARK_HOME)"
[ -n "${SPARK_MASTER:-}" ] || die "SPARK_MASTER is not set: use yarn or spark://HOST:7077"
[ -n "${DIFFUSION_BATCH_APP:-}" ] || die "DIFFUSION_BATCH_APP is not set: run deploy/build-app.sh OUT and set it to OUT"
app_jar="$DIFFUSION_BATCH_APP/diffusion-batch-jobs.jar"
[ -f "$app_jar" ] || die "$app_jar not found: run deploy/build-app.sh $DIFFUSION_BATCH_APP first"
[ -d "$DIFFUSION_BATCH_APP/lib" ] || die "$DIFFUSION_BATCH_APP/lib not found: run deploy/build-app.sh $DIFFUSION_BATCH_APP first"

has_option --prompts "$@" || die "give the job --prompts URI (text, .jsonl, .csv or parquet; s3:// or s3a://)"
has_option --output "$@" || die "give the job --output URI (the Parquet dataset, e.g. s3a://bucket/images/run1)"
has_option --model "$@" || die "give the job --model URI (an Optimum ONNX export, e.g. s3://bucket/models/sd15/): the bundled tiny model is not on the cluster"
has_option --master "$@" && die "--master is set by spark-submit here; use SPARK_MASTER instead"
for arg in "$@"; do
  case "$arg" in
    *fs.s3a.access.key*|*fs.s3a.secret.key*|*fs.s3a.session.token*|*AWS_SECRET_ACCESS_KEY*)
      die "credentials never go on the command line (they end up in process lists and Spark's UI);" \
        "export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use an instance profile" ;;
  esac
done

gpus="${GPUS_PER_EXECUTOR:-1}"
[[ "$gpus" =~ ^[0-9]+$ ]] || die "GPUS_PER_EXECUTOR='$gpus' is not a whole number"
executor_instances="${EXECUTOR_INSTANCES:-2}"
executor_cores="${EXECUTOR_CORES:-4}"
[[ "$executor_instances" =~ ^[1-9][0-9]*$ ]] || die "EXECUTOR_INSTANCES='$executor_instances' is not a positive whole number"
[[ "$executor_cores" =~ ^[1-9][0-9]*$ ]] || die "EXECUTOR_CORES='$executor_cores' is not a positive whole number"

job_args=()
for ((i = 0; i < ${#default_job_args[@]}; i += 2)); do
  option="${default_job_args[i]}"
  value="${default_job_args[i + 1]}"
  if [ "$option" = --device ] && [ "$gpus" = 0 ]; then value=cpu; fi
  has_option "$option" "$@" || job_args+=("$option" "$value")
done
job_args+=("$@")

join_jars() { local IFS=,; echo "$*"; }
shopt -s nullglob
jars=("$DIFFUSION_BATCH_APP"/lib/*.jar "$DIFFUSION_BATCH_APP"/hadoop-cloud/*.jar)
shopt -u nullglob

spark_conf=(
  # S3A magic committer: tasks write straight to their final S3 objects and commit by
  # completing multipart uploads, so a job commit neither renames nor copies image data.
  spark.hadoop.fs.s3a.committer.name=magic
  spark.hadoop.fs.s3a.committer.magic.enabled=true
  spark.sql.sources.commitProtocolClass=org.apache.spark.internal.io.cloud.PathOutputCommitProtocol
  spark.sql.parquet.output.committer.class=org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter
  # The AWS SDK's default chain: environment, web identity (IRSA), container and instance profile.
  spark.hadoop.fs.s3a.aws.credentials.provider=software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider
  # A speculative copy of a GPU task would take a second GPU slot to redo the same images.
  spark.speculation=false
  spark.executor.instances="$executor_instances"
  spark.executor.cores="$executor_cores"
  spark.executor.memory="${EXECUTOR_MEMORY:-16g}"
  spark.executor.memoryOverhead="${EXECUTOR_MEMORY_OVERHEAD:-8g}"
  spark.driver.memory="${DRIVER_MEMORY:-4g}"
  spark.driver.memoryOverhead="${DRIVER_MEMORY_OVERHEAD:-8g}"
  spark.task.cpus=1
  # DJL offline and without telemetry, as in the image: otherwise each executor JVM asks the EC2
  # metadata service for its instance id and reports it to DJL's telemetry bucket.
  spark.executorEnv.DJL_OFFLINE=true
  spark.executorEnv.OPT_OUT_TRACKING=true
)
if [[ "$SPARK_MASTER" == spark://* ]]; then
  # A standalone master ignores spark.executor.instances and gives the application every free
  # core (and GPU) of the cluster; spark.cores.max caps it at the executors asked for.
  spark_conf+=(spark.cores.max=$((executor_instances * executor_cores)))
fi
submit_files=()
if [ "$gpus" != 0 ]; then
  spark_conf+=(
    spark.executor.resource.gpu.amount="$gpus"
    spark.task.resource.gpu.amount="${TASK_GPU_AMOUNT:-0.25}"
  )
  if [ "$SPARK_MASTER" = yarn ]; then
    discovery="${GPU_DISCOVERY_SCRIPT:-$SPARK_HOME/examples/src/main/scripts/getGpusResources.sh}"
    [ -f "$discovery" ] || die "GPU discovery script $discovery not found: set GPU_DISCOVERY_SCRIPT"
    submit_files+=(--files "$discovery")
    spark_conf+=(spark.executor.resource.gpu.discoveryScript="./$(basename "$discovery")")
  fi
fi
if [ "$SPARK_MASTER" = yarn ]; then
  # The driver's environment in YARN cluster mode (client mode: this shell's, exported below).
  spark_conf+=(spark.yarn.appMasterEnv.DJL_OFFLINE=true spark.yarn.appMasterEnv.OPT_OUT_TRACKING=true)
  # A second application attempt would find the first one's output and stop (exit 2); rerunning
  # with --resume is the caller's decision.
  spark_conf+=(spark.yarn.maxAppAttempts=1)
fi

submit=("$SPARK_HOME/bin/spark-submit" --master "$SPARK_MASTER" --deploy-mode "${DEPLOY_MODE:-client}"
  --name diffusion-batch-generate --class org.diffusionbatch.jobs.generate.GenerateJob)
for conf in "${spark_conf[@]}"; do submit+=(--conf "$conf"); done
if [ ${#submit_files[@]} -gt 0 ]; then submit+=("${submit_files[@]}"); fi
if [ ${#jars[@]} -gt 0 ]; then submit+=(--jars "$(join_jars "${jars[@]}")"); fi
# Word splitting of SPARK_SUBMIT_EXTRA is intended: it holds several spark-submit words.
# shellcheck disable=SC2206
extra=(${SPARK_SUBMIT_EXTRA:-})
if [ ${#extra[@]} -gt 0 ]; then submit+=("${extra[@]}"); fi

# In client mode the driver is this process after the exec; a standalone cluster-mode driver gets
# this environment too.
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
exec "${submit[@]}" "$app_jar" "${job_args[@]}"
