#!/usr/bin/env bash
# Sweep benchmark and the figures of docs/sweeps.md (a documented command, not a test).
#
#   bench/sweep/run.sh [IMAGES_PER_CELL] [STEPS]     defaults: 2000, "2,3,4,5,8,10,15,20,30,50"
#
# 1. draws REFERENCE (10000) exact samples of the tiny models' mixture (sample-mixture): the reference set;
# 2. runs the sweep of docs/sweeps.md: DDIM, Euler, DPM-Solver++ 2M and 3M on models/tiny-sd and LCM
#    on models/tiny-lcm at each step count, IMAGES_PER_CELL images per cell, scored with
#    models/tiny-features against the reference (guidance 1: the prompts name no colour or shape, so
#    CFG would double the NFE and change nothing);
# 3. makes the same images (same prompts, seeds, settings) with generate, one job per model, and
#    scores them with evaluate --group-by sampler,steps: the "separate runs" way;
# 4. prints the wall times of each step and the machine's load.
#
# Knobs (environment): MASTER (local[2]), REFERENCE (10000), WORK (a new temp folder; kept), SKIP_GENERATE=1,
# REFERENCE_STATS=FILE (score against these statistics, e.g. models/tiny-reference/stats.npz, instead of
# drawing a reference image set: no pass over reference images, and no KID).
set -euo pipefail
images="${1:-2000}"
steps="${2:-2,3,4,5,8,10,15,20,30,50}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
master="${MASTER:-local[2]}"
work="${WORK:-$(mktemp -d /tmp/diffusionbatch-sweep.XXXXXX)}"
db="$root/diffusion-batch"
echo "work folder: $work" >&2

seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

"$db" --help > /dev/null # builds the launcher's jar once, outside the timings
if [ -n "${REFERENCE_STATS:-}" ]; then
  reference="$(cd "$(dirname "$REFERENCE_STATS")" && pwd)/$(basename "$REFERENCE_STATS")"
else
  reference="$work/reference"
  [ -d "$reference" ] || "$db" sample-mixture --output "$reference" --count "${REFERENCE:-10000}" --seed 1000000
fi

cat > "$work/grid.yaml" <<GRID
grids:
  - {model: $root/models/tiny-sd, sampler: [ddim, euler, dpmpp-2m, dpmpp-3m], steps: [$steps], guidance: 1}
  - {model: $root/models/tiny-lcm, sampler: lcm, steps: [$steps]}
GRID

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
t0="$(seconds)"
"$db" sweep --prompts "$root/examples/sweep-prompts.txt" --output "$work/sweep" --overwrite --master "$master" \
  --features "$root/models/tiny-features" --reference "$reference" --images-per-cell "$images" --cycle-prompts \
  --grid-file "$work/grid.yaml" | tee "$work/sweep.log"
t1="$(seconds)"
sweep_wall="$(elapsed "$t0" "$t1")"

if [ "${SKIP_GENERATE:-0}" != 1 ]; then
  # The same rows as JSON Lines, one per (cell, sample row), for each model: the sweep's samples.csv
  # (whose prompts hold no commas or quotes) times its metrics.csv's cells.
  for model in tiny-sd tiny-lcm; do
    awk -F, -v model="$model" 'NR == FNR { if (FNR > 1 && $3 == model) cells[++n] = $4 "," $5 "," $6; next }
      FNR > 1 { for (c = 1; c <= n; c++) { split(cells[c], s, ",");
        printf "{\"prompt_id\": \"%s-%s-%s\", \"prompt\": \"%s\", \"seed\": %s, \"sampler\": \"%s\", \"steps\": %s, \"guidance_scale\": %s}\n",
          s[1], s[2], $2, $5, $4, s[1], s[2], s[3] } }' "$work/sweep/metrics.csv" "$work/sweep/samples.csv" > "$work/rows-$model.jsonl"
  done
  t2="$(seconds)"
  "$db" generate --prompts "$work/rows-tiny-sd.jsonl" --model "$root/models/tiny-sd" --output "$work/gen-tiny-sd" --overwrite --master "$master"
  "$db" generate --prompts "$work/rows-tiny-lcm.jsonl" --model "$root/models/tiny-lcm" --output "$work/gen-tiny-lcm" --overwrite --master "$master"
  t3="$(seconds)"
  for model in tiny-sd tiny-lcm; do
    "$db" evaluate --images "$work/gen-$model" --features "$root/models/tiny-features" --reference "$reference" \
      --group-by sampler,steps --output "$work/eval-$model" --overwrite --master "$master"
  done
  t4="$(seconds)"
  generate_wall="$(elapsed "$t2" "$t3")"
  evaluate_wall="$(elapsed "$t3" "$t4")"
fi
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "images per cell $images, steps $steps, master $master; load average before $load_before, after $load_after"
echo "sweep (generate + score every cell, report):  ${sweep_wall} s"
if [ "${SKIP_GENERATE:-0}" != 1 ]; then
  echo "generate the same images (2 jobs):            ${generate_wall} s"
  echo "evaluate them (2 jobs):                       ${evaluate_wall} s"
  awk -v s="$sweep_wall" -v g="$generate_wall" -v e="$evaluate_wall" 'BEGIN {
    printf "sweep / generate alone: %.2f;  sweep / (generate + evaluate): %.2f\n", s / g, s / (g + e) }'
fi
