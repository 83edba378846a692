#!/usr/bin/env bash
# Image entrypoint: replaces the token {run_date} in every argument with the UTC date
# (YYYY-MM-DD, or $RUN_DATE when set), then runs Spark's own entrypoint with the result.
# Why: the spark-operator's ScheduledSparkApplication creates each run from the same fixed
# template and has no date templating, so a nightly run's --output "s3a://b/images/dt={run_date}"
# becomes a new dataset per day only here, in the driver pod, where the job's arguments arrive.
# Executors' arguments carry no token and pass through unchanged.
set -euo pipefail
run_date="${RUN_DATE:-$(date -u +%F)}"
if ! [[ "$run_date" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
  echo "run-date-entrypoint.sh: RUN_DATE='$run_date' is not YYYY-MM-DD" >&2
  exit 2
fi
args=()
for arg in "$@"; do
  args+=("${arg//\{run_date\}/$run_date}")
done
exec "${SPARK_ENTRYPOINT:-/opt/entrypoint.sh}" "${args[@]}"
