#!/usr/bin/env bash
# Scale benchmark for the generate job (a documented command, not a test).
#
#   bench/scale/run.sh [ROWS] [STEPS]        defaults: 10000 rows, 4 steps, tiny-sd, batch 8
#
# 1. writes ROWS prompts (one a line) to a scratch folder;
# 2. runs `generate` (as ./diffusion-batch does, built from this checkout) on them in local mode (one JVM: driver and executor) and
#    samples the JVM's resident memory every second; a GC log gives heap used;
# 3. runs the same prompts, ids and seeds through TextToImagePipeline in a plain loop with the
#    same batch size, PNGs included (bench/src/.../scale/ScaleBaseline), for the single-process rate: once as one loop
#    at ONNX Runtime's default threads, once as N loops (N = task slots) at 1 thread each;
# 4. prints images/s of job and baselines, the ratios (target >= 0.9), peak RSS and peak heap.
#
# Knobs (environment): MASTER (local[2]), PARTITIONS (4), BATCH (8), JOB_THREADS (intra-op threads
# per task; 0: the job's default, spark.task.cpus = 1), BASELINE_THREADS (0 = ONNX Runtime default),
# MODEL (models/tiny-sd), HEAP (-Xmx4g), JOB_JAVA_OPTS (extra JVM options for the job only, e.g. a JFR
# recording: -XX:StartFlightRecording=filename=/tmp/job.jfr,settings=profile), KEEP=1 keeps the scratch folder.
set -euo pipefail
rows="${1:-10000}"
steps="${2:-4}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
master="${MASTER:-local[2]}"
partitions="${PARTITIONS:-4}"
batch="${BATCH:-8}"
job_threads="${JOB_THREADS:-0}"
baseline_threads="${BASELINE_THREADS:-0}"
model="${MODEL:-$root/models/tiny-sd}"
heap="${HEAP:--Xmx4g}"
read -r -a job_java_opts <<< "${JOB_JAVA_OPTS:-}"
work="$(mktemp -d /tmp/diffusionbatch-scale.XXXXXX)"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

awk -v n="$rows" 'BEGIN {
  split("red blue green yellow purple orange black white", colour, " ");
  split("circle square triangle star hexagon cross ring dot", shape, " ");
  for (i = 0; i < n; i++) printf "a %s %s on a %s background, number %d\n", colour[i % 8 + 1], shape[int(i / 8) % 8 + 1], colour[int(i / 64) % 8 + 1], i;
}' > "$work/prompts.txt"

# Build from this checkout (reactor, offline), without installing anything into ~/.m2: core, jobs and bench.
(cd "$root" && mvn -q -B -o -pl bench -am package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/scale-classpath.txt -Dmdep.includeScope=runtime) >&2
# The AWS SDK bundle carries unshaded SLF4J 1.x and Netty classes: last, as ./diffusion-batch does.
classpath="$root/jobs/target/diffusion-batch-jobs-0.1.0-SNAPSHOT.jar:$(tr ':' '\n' < "$root/jobs/target/scale-classpath.txt" \
  | awk '/awssdk\/bundle/ {last = $0; next} {printf "%s:", $0} END {print last}')"
# The baseline runs from the bench jar, beside the job's classpath (it derives ids and seeds as the job does).
baseline_classpath="$root/bench/target/diffusion-batch-bench-0.1.0-SNAPSHOT.jar:$classpath"
# What ./diffusion-batch passes to java (the opens Spark 4 needs on Java 17; DJL offline).
source "$root/bench/jvm-opens.sh"

# Peak resident memory of a process, sampled every second while it runs.
watch_rss() {
  local pid="$1" peak=0 rss
  while kill -0 "$pid" 2> /dev/null; do
    rss="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2> /dev/null || echo 0)"
    [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak="$rss"
    sleep 1
  done
  echo "$peak"
}

# Largest heap in use before a GC and largest live set after one, from a -Xlog:gc log, in MB.
heap_from_gc_log() {
  python3 - "$1" << 'PY'
import re, sys
before = after = 0
for line in open(sys.argv[1]):
    m = re.search(r"(\d+)M->(\d+)M\((\d+)M\)", line)
    if m:
        before, after = max(before, int(m.group(1))), max(after, int(m.group(2)))
print(f"{before} MB used at most, {after} MB live at most after GC")
PY
}

echo "scale: $rows rows, $steps steps, batch $batch, $master with $partitions partitions, model $model" >&2
start=$(date +%s.%N)
java $heap ${job_java_opts[@]+"${job_java_opts[@]}"} -Xlog:gc:file="$work/gc-job.log" "${opens[@]}" -Ddiffusionbatch.home="$root" -cp "$classpath" \
  org.diffusionbatch.jobs.cli.DiffusionBatchCli generate --prompts "$work/prompts.txt" --output "$work/out" --model "$model" --steps "$steps" --batch-size "$batch" \
  --master "$master" --partitions "$partitions" --intra-op-threads "$job_threads" --run-id scale \
  --conf spark.ui.enabled=false > "$work/job.out" 2> "$work/job.err" &
job_pid=$!
job_rss_kb="$(watch_rss "$job_pid")"
wait "$job_pid" || { echo "the job failed; see $work/job.err (KEEP=1 keeps it)" >&2; tail -20 "$work/job.err" >&2; exit 1; }
job_wall=$(python3 -c "import time; print(round(time.time() - $start, 1))")

# Baseline: TextToImagePipeline in a plain loop. "one loop" is one thread at ONNX Runtime's default
# threads; "N loops" runs N threads (N = the job's task slots) at 1 intra-op thread each, as the job does.
run_baseline() {  # name loops threads
  java $heap -Xlog:gc:file="$work/gc-$1.log" -cp "$baseline_classpath" \
    org.diffusionbatch.bench.scale.ScaleBaseline "$work/prompts.txt" "$model" "$steps" "$batch" "$3" "$2" \
    > "$work/$1.out" 2> "$work/$1.err" &
  local pid=$!
  local rss_kb
  rss_kb="$(watch_rss "$pid")"
  wait "$pid" || { echo "baseline $1 failed; see $work/$1.err" >&2; tail -20 "$work/$1.err" >&2; exit 1; }
  echo "$rss_kb" > "$work/$1.rss"
}
slots="$(echo "$master" | sed -n 's/^local\[\([0-9]*\).*/\1/p')"
slots="${slots:-$(nproc)}"
run_baseline baseline-one 1 "$baseline_threads"
run_baseline baseline-n "$slots" 1

python3 - "$work/out/_runs/scale.json" "$work/baseline-one.out" "$work/baseline-n.out" "$rows" "$job_wall" << PY
import json, sys
m = json.load(open(sys.argv[1]))
one = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
many = json.loads(open(sys.argv[3]).read().strip().splitlines()[-1])
t, c = m["timings"], m["counts"]
print(f"rows                 {sys.argv[4]}")
print(f"job made             {c['made']} images, {c['errors']} errors")
print(f"job wall             {sys.argv[5]} s (JVM start to exit)")
print(f"job plan / generate  {t['plan_seconds']:.1f} s / {t['generate_seconds']:.1f} s")
print(f"job images/s         {t['images_per_second']:.2f} (generation phase)")
print(f"job images/s overall {c['made'] / t['total_seconds']:.2f} (planning included)")
overall = c["made"] / t["total_seconds"]
for name, b in (("one loop", one), (f"{many['loops']} loops", many)):
    print(f"baseline {name:9s}    {b['images_per_second']:.2f} images/s ({b['images']} images in {b['seconds']:.1f} s)")
    print(f"  ratio job/baseline {t['images_per_second'] / b['images_per_second']:.2f} generation phase, "
          f"{overall / b['images_per_second']:.2f} overall (target >= 0.9)")
PY
echo "job peak RSS         $((job_rss_kb / 1024)) MB; heap: $(heap_from_gc_log "$work/gc-job.log")"
echo "baseline peak RSS    one loop $(($(cat "$work/baseline-one.rss") / 1024)) MB, $slots loops $(($(cat "$work/baseline-n.rss") / 1024)) MB; heap (one loop): $(heap_from_gc_log "$work/gc-baseline-one.log")"
