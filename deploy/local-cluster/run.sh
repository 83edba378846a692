#!/usr/bin/env bash
# Tries the deploy on this machine before a real cluster: the real submit script puts the generate
# job on a Spark standalone cluster of two workers with GPU resource scheduling, reading prompts and
# the model from S3 and writing the images to S3 through the S3A magic committer. No GPU and no
# network beyond Maven Central: the GPUs are stand-ins and S3 is an S3Proxy on 127.0.0.1.
#
#   deploy/local-cluster/run.sh        (Java 17+, Maven, curl; a few minutes on 2 idle cores)
#
# 1. SPARK_HOME: Spark's own jars from Maven Central (spark-jars/pom.xml, the root pom's Spark
#    version) and a bin/ whose spark-class runs Spark's launcher as a distribution's does
#    (spark-bin/). On a real cluster this is your Spark distribution.
# 2. the application, as the image builds it: deploy/build-app.sh --cpu-only --prune-against jars/
# 3. S3Proxy (org.gaul:s3proxy's jar with dependencies, in memory), a standalone master and two
#    workers (org.apache.spark.deploy.master.Master / worker.Worker), separate JVMs on 127.0.0.1.
#    Each worker offers 8 cores and two stand-in GPUs, found by standin-gpus.sh through
#    spark.worker.resource.gpu.* as deploy/README.md tells standalone users: worker-1 has gpu 0
#    and 1, worker-2 gpu 2 and 3.
# 4. the prompts and models/tiny-sd into bucket "data", with Hadoop's file system shell over S3A.
# 5. deploy/spark-submit/submit-generate.sh, unchanged, for 3 executors of 4 cores and 1 GPU each
#    (of the cluster's 4: the submit script must cap a standalone application), GPU share per
#    task 0.25 (its default), and the job option --conf diffusionbatch.testing.gpuAsCpu=true:
#    there is no CUDA here, so each executor's models run on the CPU; everything else is as on a
#    GPU cluster (a task given no GPU address fails under the script's --device gpu).
# 6. CheckRun.java, through spark-submit in local mode: every prompt_id once, every image decodes,
#    the manifest is complete, the magic committer wrote the output; from Spark's event log and
#    the executors' logs: each task's GPU address, tasks per executor and per stand-in GPU, 4 tasks
#    at once on each executor's one model, one model load per executor, as many executors as asked.
#    Prints the time from submit to the first image and images/s.
# Everything it starts is stopped by process id when it exits (trap on EXIT); the work folder is
# removed after a successful run unless KEEP=1.
#
# Environment (optional, defaults in brackets):
#   PROMPTS [2000]  number of prompts    PARTITIONS [24]  prompt partitions (= generate tasks)
#   BATCH [4]       --batch-size         KEEP [0]         1 keeps the work folder (logs, event log)
#   SUBMIT_TIMEOUT [1800]     seconds the job may take before it is stopped (exit 1)
#   LOCAL_CLUSTER_SPARK_HOME  a Spark 4.0.1 (Scala 2.13) distribution to use instead of assembling one
#   DIFFUSION_BATCH_APP       a folder deploy/build-app.sh made, instead of building one
# Exit: 0 the run and every check passed; 1 otherwise (what failed is printed; logs are kept).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
prompts="${PROMPTS:-2000}"
partitions="${PARTITIONS:-24}"
batch="${BATCH:-4}"
work="$(mktemp -d "${TMPDIR:-/tmp}/diffusion-batch-local-cluster.XXXXXX")"
# Three executors of 4 cores and 1 GPU on a cluster with four stand-in GPUs: one worker runs two
# executors on its two GPUs, the other one, and a GPU stays free.
executors=3
executor_cores=4
tasks_per_gpu=4  # executor cores x spark.task.resource.gpu.amount 0.25 = 1 GPU

# Credentials of the local S3Proxy, given to every process through the environment as an instance
# profile would be (the submit script refuses them on the command line).
export AWS_ACCESS_KEY_ID=local-cluster-access AWS_SECRET_ACCESS_KEY=local-cluster-secret AWS_REGION=us-east-1
# Every Spark process binds and advertises loopback only.
export SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=127.0.0.1
# No DJL model hub or telemetry from any JVM here (the submit script sets them for its own, too).
export DJL_OFFLINE=true OPT_OUT_TRACKING=true

started=()   # pids of what this script started, in start order
failed=0
start_time=$(date +%s)

say() { printf '[local-cluster %4ss] %s\n' "$(($(date +%s) - start_time))" "$*"; }

stop_all() {
  local i pid
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    pid="${started[i]}"
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

on_exit() {
  local status=$?
  [ ${#started[@]} -gt 0 ] && say "stopping ${#started[@]} processes (pids ${started[*]})"
  stop_all
  local summary
  summary="$(grep -E '^checks: [0-9]+ passed, [0-9]+ failed$' "$work/check.out" 2>/dev/null || true)"
  if [ "$status" != 0 ] || [ "$failed" != 0 ] || [ "${KEEP:-0}" = 1 ]; then
    say "logs and event log kept in $work"
  else
    rm -rf "$work"
  fi
  if [ -n "$summary" ]; then echo "$summary"; fi
}
trap on_exit EXIT

die() {
  say "FAILED: $*" >&2
  failed=1
  exit 1
}

# Waits until FILE has a line matching REGEX (or PID dies, or SECONDS pass); prints the first match.
wait_for_line() {
  local file="$1" regex="$2" pid="$3" seconds="$4" line
  for _ in $(seq 1 $((seconds * 5))); do
    line="$(grep -m 1 -E "$regex" "$file" 2>/dev/null || true)"
    if [ -n "$line" ]; then printf '%s\n' "$line"; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  tail -n 30 "$file" >&2 || true
  return 1
}

# Stand-in GPU addresses of worker N: worker-1 has 0,1 and worker-2 has 2,3, as two workers sharing
# a 4-GPU node must have disjoint ones.
gpus_of() { echo "$(( ($1 - 1) * 2 )),$(( ($1 - 1) * 2 + 1 ))"; }

prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$repo/pom.xml" | head -n 1; }
spark_version="$(prop spark.version)"
scala_version="$(prop scala.binary.version)"

command -v java >/dev/null || die "java is not on PATH (Java 17 or newer)"
command -v mvn >/dev/null || die "mvn is not on PATH (Maven 3.8 or newer)"
command -v curl >/dev/null || die "curl is not on PATH (it creates the bucket)"
say "work folder $work"

# ---- 1. SPARK_HOME from Maven Central ----
if [ -n "${LOCAL_CLUSTER_SPARK_HOME:-}" ]; then
  spark_home="$(cd "$LOCAL_CLUSTER_SPARK_HOME" && pwd)"
  say "1/6 SPARK_HOME: $spark_home (LOCAL_CLUSTER_SPARK_HOME)"
else
  spark_home="$work/spark"
  say "1/6 SPARK_HOME: Spark $spark_version's jars from Maven Central (your Spark distribution on a real cluster)"
  mvn -B -q -f "$here/spark-jars/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -Dspark.version="$spark_version" -Dscala.binary.version="$scala_version" -DoutputDirectory="$spark_home/jars" \
    > "$work/mvn-spark-jars.log" 2>&1 || { cat "$work/mvn-spark-jars.log" >&2; die "could not resolve Spark's jars"; }
  mkdir -p "$spark_home/bin" "$spark_home/conf"
  cp "$here/spark-bin/spark-class" "$here/spark-bin/spark-submit" "$spark_home/bin/"
  # Hadoop's file system shell insists on a core-site.xml (a distribution's Hadoop conf folder has one).
  printf '<?xml version="1.0"?>\n<configuration/>\n' > "$spark_home/conf/core-site.xml"
fi
if [ ! -x "$spark_home/bin/spark-class" ] || [ ! -d "$spark_home/jars" ]; then
  die "$spark_home is not a Spark home (bin/spark-class, jars/)"
fi
export SPARK_HOME="$spark_home"
say "    $(find "$spark_home/jars" -name '*.jar' | wc -l) jars in $spark_home/jars"

# ---- 2. the application ----
if [ -n "${DIFFUSION_BATCH_APP:-}" ]; then
  app="$(cd "$DIFFUSION_BATCH_APP" && pwd)"
  say "2/6 the application: $app (DIFFUSION_BATCH_APP, made by deploy/build-app.sh)"
else
  app="$work/app"
  say "2/6 the application: deploy/build-app.sh --cpu-only --prune-against \$SPARK_HOME/jars (as the image, but ONNX Runtime's CPU jar)"
  bash "$repo/deploy/build-app.sh" --cpu-only --prune-against "$spark_home/jars" "$app" > "$work/build-app.log" 2>&1 \
    || { tail -n 40 "$work/build-app.log" >&2; die "deploy/build-app.sh failed (log above)"; }
  say "    $(tail -n 1 "$work/build-app.log" | sed 's/\x1b\[[0-9;]*m//g')"
fi

# ---- 3. S3Proxy and the standalone cluster, started side by side ----
say "3/6 S3Proxy, a standalone master and two workers on 127.0.0.1, each worker with two stand-in GPUs"
s3proxy_version="$(prop s3proxy.version)"
mvn -B -q -f "$repo/pom.xml" -N dependency:copy -Dartifact="org.gaul:s3proxy:$s3proxy_version:jar:jar-with-dependencies" \
  -DoutputDirectory="$work/s3proxy" > "$work/mvn-s3proxy.log" 2>&1 || { cat "$work/mvn-s3proxy.log" >&2; die "could not get S3Proxy"; }
# The in-memory store: S3Proxy's filesystem stores turn S3A's directory markers into folders that
# then answer as objects ("Is not a directory"), which real S3 never does.
cat > "$work/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:0
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$AWS_ACCESS_KEY_ID
s3proxy.credential=$AWS_SECRET_ACCESS_KEY
jclouds.provider=transient
jclouds.identity=local
jclouds.credential=local
EOF
java -jar "$work/s3proxy/s3proxy-$s3proxy_version-jar-with-dependencies.jar" --properties "$work/s3proxy.properties" \
  > "$work/s3proxy.log" 2>&1 &
s3proxy_pid=$!
started+=("$s3proxy_pid")
"$spark_home/bin/spark-class" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 0 --webui-port 0 \
  > "$work/master.log" 2>&1 &
master_pid=$!
started+=("$master_pid")
line="$(wait_for_line "$work/master.log" 'Starting Spark master at spark://' "$master_pid" 180)" || die "the master did not start (log above)"
master="$(grep -oE 'spark://[0-9.]+:[0-9]+' <<< "$line")"
say "    master $master (pid $master_pid)"
worker_pids=()
for worker in 1 2; do
  mkdir -p "$work/workers/worker-$worker"
  # As deploy/README.md tells standalone users: the worker discovers its GPUs with a script.
  STANDIN_GPU_ADDRESSES="$(gpus_of "$worker")" \
  SPARK_WORKER_OPTS="-Dspark.worker.resource.gpu.amount=2 -Dspark.worker.resource.gpu.discoveryScript=$here/standin-gpus.sh" \
    "$spark_home/bin/spark-class" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port 0 --webui-port 0 \
      --cores $((2 * executor_cores)) --memory 3g --work-dir "$work/workers/worker-$worker" "$master" \
      > "$work/worker-$worker.log" 2>&1 &
  worker_pids+=($!)
  started+=($!)
done
line="$(wait_for_line "$work/s3proxy.log" 'Started ServerConnector.*127\.0\.0\.1:[0-9]+' "$s3proxy_pid" 180)" \
  || die "S3Proxy did not start (log above)"
s3_endpoint="http://127.0.0.1:$(sed -E 's/.*127\.0\.0\.1:([0-9]+).*/\1/' <<< "$line")"
curl -fsS -X PUT -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --aws-sigv4 "aws:amz:$AWS_REGION:s3" \
  --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$s3_endpoint/data" || die "could not create bucket data on S3Proxy"
say "    S3Proxy $s3_endpoint (pid $s3proxy_pid), bucket data"
for worker in 1 2; do
  wait_for_line "$work/worker-$worker.log" 'Successfully registered with master' "${worker_pids[worker - 1]}" 180 > /dev/null \
    || die "worker $worker did not register with the master (log above)"
  say "    worker-$worker: $((2 * executor_cores)) cores, 3 GB, stand-in gpu $(gpus_of "$worker") (pid ${worker_pids[worker - 1]})"
done

# ---- 4. prompts and model into S3, 5. the real submit script ----
say "4/6 prompts and models/tiny-sd into s3://data/ (Hadoop's file system shell over S3A)"
awk -v n="$prompts" 'BEGIN {
  split("red blue green yellow purple orange black white", colour, " ");
  split("circle square triangle star hexagon cross ring dot", shape, " ");
  for (i = 0; i < n; i++) printf "a %s %s on a %s background, number %d\n", colour[i % 8 + 1], shape[int(i / 8) % 8 + 1], colour[int(i / 64) % 8 + 1], i;
}' > "$work/prompts.txt"
mkdir -p "$work/input"
cp "$work/prompts.txt" "$work/input/"
cp -R "$repo/models/tiny-sd" "$work/input/"
s3a_conf=(-D fs.s3a.endpoint="$s3_endpoint" -D fs.s3a.endpoint.region="$AWS_REGION" -D fs.s3a.path.style.access=true)
SPARK_DIST_CLASSPATH="$app/hadoop-cloud/*" "$spark_home/bin/spark-class" org.apache.hadoop.fs.FsShell "${s3a_conf[@]}" \
  -put "$work/input" s3a://data/ > "$work/upload.log" 2>&1 \
  || { tail -n 30 "$work/upload.log" >&2; die "could not upload to S3Proxy (log above)"; }

run_id="local-cluster-$(date -u +%Y%m%dT%H%M%SZ)"
output="s3a://data/images/$run_id"
mkdir -p "$work/event-log"
say "5/6 submit: deploy/spark-submit/submit-generate.sh -> $master, $executors executors x $executor_cores cores x 1 GPU, $prompts prompts"
submitted_ms=$(($(date +%s%N) / 1000000))
set +e
# A bound on the run: an application that never gets its executors would otherwise wait forever.
SPARK_MASTER="$master" DIFFUSION_BATCH_APP="$app" \
EXECUTOR_INSTANCES=$executors EXECUTOR_CORES=$executor_cores EXECUTOR_MEMORY=1g DRIVER_MEMORY=1g \
SPARK_SUBMIT_EXTRA="--conf spark.eventLog.enabled=true --conf spark.eventLog.dir=file://$work/event-log
  --conf spark.scheduler.minRegisteredResourcesRatio=1.0 --conf spark.scheduler.maxRegisteredResourcesWaitingTime=600s
  --conf spark.ui.enabled=false" \
  timeout --kill-after=30 "${SUBMIT_TIMEOUT:-1800}" bash "$repo/deploy/spark-submit/submit-generate.sh" \
    --prompts s3://data/input/prompts.txt --output "$output" --model s3://data/input/tiny-sd/ \
    --s3-endpoint "$s3_endpoint" --s3-region "$AWS_REGION" --s3-path-style \
    --partitions "$partitions" --batch-size "$batch" --run-id "$run_id" --model-cache "$work/model-cache" \
    --conf diffusionbatch.testing.gpuAsCpu=true \
    > "$work/driver.out" 2> "$work/driver.log"
code=$?
set -e
cat "$work/driver.out"
grep -E 'WARN .*gpuAsCpu|INFO (GenerateRun|ProgressReporter)' "$work/driver.log" | sed 's/^/    driver: /' || true
if [ "$code" != 0 ]; then
  grep -E 'ERROR|Exception|generate:' "$work/driver.log" | head -n 30 >&2 || true
  [ "$code" = 124 ] && die "the job did not finish within ${SUBMIT_TIMEOUT:-1800} s (driver log: $work/driver.log)"
  die "the job exited $code (driver log: $work/driver.log)"
fi
say "    the job exited 0 in $(( ($(date +%s%N) / 1000000 - submitted_ms) / 1000 )) s"

say "6/6 check: the output as a user reads it, and the GPU scheduling from the event log and the executors' logs"
mkdir -p "$work/check"
javac -nowarn --release 17 -cp "$spark_home/jars/*" -d "$work/check" "$here/CheckRun.java"
(cd "$work/check" && jar cf "$work/check.jar" ./*.class)
set +e
SPARK_DIST_CLASSPATH="$app/hadoop-cloud/*" timeout --kill-after=30 900 "$spark_home/bin/spark-submit" --master 'local[2]' --class CheckRun \
  --conf spark.ui.enabled=false --conf spark.hadoop.fs.s3a.endpoint="$s3_endpoint" \
  --conf spark.hadoop.fs.s3a.endpoint.region="$AWS_REGION" --conf spark.hadoop.fs.s3a.path.style.access=true \
  "$work/check.jar" "$output" "$work/prompts.txt" "$run_id" "$work/event-log" "$work/workers" "$submitted_ms" \
  "$executors" "$tasks_per_gpu" 2> "$work/check.log" | tee "$work/check.out"
code=${PIPESTATUS[0]}
set -e
[ "$code" = 0 ] || die "the checks failed (above; Spark's log: $work/check.log)"
say "done: the submit script ran the job on a two-worker standalone cluster with GPU scheduling, S3 and the magic committer"
