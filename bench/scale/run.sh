#!/usr/bin/env bash
# Scale benchmark for the generate job (a documented command, not a test).
#
#   bench/scale/run.sh [ROWS] [STEPS]        defaults: 10000 rows, 4 steps, tiny-sd, batch 8
#
# 1. writes ROWS prompts (one a line) to a scratch folder;
# 2. runs `./diffusion-batch generate` on them in local mode (one JVM: driver and executor) and
#    samples the JVM's resident memory every second; a GC log gives heap used;
# 3. runs the same prompts, ids and seeds through TextToImagePipeline in one plain loop with the
#    same batch size, PNGs included (ScaleBaseline), for the single-process rate;
# 4. prints images/s of both, their ratio (target >= 0.9), peak RSS and peak heap.
#
# Knobs (environment): MASTER (local[2]), PARTITIONS (4), BATCH (8), JOB_THREADS (intra-op threads
# per task; 1, as two tasks share the two cores), BASELINE_THREADS (0 = ONNX Runtime default),
# MODEL (models/tiny-sd), HEAP (-Xmx4g), KEEP=1 keeps the scratch folder.
set -euo pipefail
rows="${1:-10000}"
steps="${2:-4}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
master="${MASTER:-local[2]}"
partitions="${PARTITIONS:-4}"
batch="${BATCH:-8}"
job_threads="${JOB_THREADS:-1}"
baseline_threads="${BASELINE_THREADS:-0}"
model="${MODEL:-$root/models/tiny-sd}"
heap="${HEAP:--Xmx4g}"
work="$(mktemp -d /tmp/diffusionbatch-scale.XXXXXX)"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

awk -v n="$rows" 'BEGIN {
  split("red blue green yellow purple orange black white", colour, " ");
  split("circle square triangle star hexagon cross ring dot", shape, " ");
  for (i = 0; i < n; i++) printf "a %s %s on a %s background, number %d\n", colour[i % 8 + 1], shape[int(i / 8) % 8 + 1], colour[int(i / 64) % 8 + 1], i;
}' > "$work/prompts.txt"

"$root/diffusion-batch" --version > /dev/null   # builds the command line if needed
classpath="$root/jobs/target/diffusion-batch-jobs-0.1.0-SNAPSHOT.jar:$(cat "$root/jobs/target/runtime-classpath.txt")"

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
DIFFUSION_BATCH_JAVA_OPTS="$heap -Xlog:gc:file=$work/gc-job.log" "$root/diffusion-batch" generate \
  --prompts "$work/prompts.txt" --output "$work/out" --model "$model" --steps "$steps" --batch-size "$batch" \
  --master "$master" --partitions "$partitions" --intra-op-threads "$job_threads" --run-id scale \
  --conf spark.ui.enabled=false > "$work/job.out" 2> "$work/job.err" &
job_pid=$!
job_rss_kb="$(watch_rss "$job_pid")"
wait "$job_pid" || { echo "the job failed; see $work/job.err (KEEP=1 keeps it)" >&2; tail -20 "$work/job.err" >&2; exit 1; }
job_wall=$(python3 -c "import time; print(round(time.time() - $start, 1))")

java $heap -Xlog:gc:file="$work/gc-baseline.log" -cp "$classpath" \
  org.diffusionbatch.jobs.generate.ScaleBaseline "$work/prompts.txt" "$model" "$steps" "$batch" "$baseline_threads" \
  > "$work/baseline.out" 2> "$work/baseline.err" &
base_pid=$!
base_rss_kb="$(watch_rss "$base_pid")"
wait "$base_pid" || { echo "the baseline failed; see $work/baseline.err" >&2; tail -20 "$work/baseline.err" >&2; exit 1; }

python3 - "$work/out/_runs/scale.json" "$work/baseline.out" "$rows" "$job_wall" << PY
import json, sys
m = json.load(open(sys.argv[1]))
base = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
t, c = m["timings"], m["counts"]
print(f"rows                 {sys.argv[3]}")
print(f"job made             {c['made']} images, {c['errors']} errors")
print(f"job wall             {sys.argv[4]} s (JVM start to exit)")
print(f"job plan / generate  {t['plan_seconds']:.1f} s / {t['generate_seconds']:.1f} s")
print(f"job images/s         {t['images_per_second']:.2f} (generation phase)")
print(f"job images/s overall {c['made'] / t['total_seconds']:.2f} (planning included)")
print(f"baseline images/s    {base['images_per_second']:.2f} ({base['images']} images in {base['seconds']:.1f} s, one loop)")
print(f"ratio job/baseline   {t['images_per_second'] / base['images_per_second']:.2f} (generation phase; target >= 0.9)")
PY
echo "job peak RSS         $((job_rss_kb / 1024)) MB; heap: $(heap_from_gc_log "$work/gc-job.log")"
echo "baseline peak RSS    $((base_rss_kb / 1024)) MB; heap: $(heap_from_gc_log "$work/gc-baseline.log")"
