#!/usr/bin/env bash
# The simulated-accelerator benchmarks (docs/performance.md has what they measure and the figures).
#
#   bench/sim/run.sh dpmpp [OPTIONS]     DPM-Solver++ 2M, 20 steps, CFG 7.5, batch 8, on a simulated H100
#   bench/sim/run.sh lcm [OPTIONS]       LCM, 4 steps, batch 16, on a simulated H100
#       OPTIONS: --images N, --output local|s3 (s3: S3Proxy in the same JVM, over s3a://),
#                --sharing one-queue|per-graph, --master local[2], -- extra generate options
#   bench/sim/run.sh plan ROWS           zero-cost model on ROWS generated prompt rows (1% duplicate ids)
#   bench/sim/run.sh plan ROWS --resume-from DONE
#                                        the same with --resume against an output already holding DONE of the ids
#
# Each run is one fresh JVM (the job in local mode, or for plan the driver of a local-cluster with two
# one-core executors) and prints its figures, with the machine's load average before and after.
# Knobs (environment): HEAP (job/driver -Xmx, default 3g for dpmpp/lcm, 2g for plan), KEEP=1 keeps the
# scratch folder, SCRATCH=DIR puts it there (prompt files for plan are reused from it), BUILD=0 reuses
# the last build of this checkout instead of packaging again (for a series of runs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
what="${1:?usage: bench/sim/run.sh dpmpp|lcm|plan ...}"
shift
work="${SCRATCH:-$(mktemp -d /tmp/diffusionbatch-sim.XXXXXX)}"
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || [ -n "${SCRATCH:-}" ] || trap 'rm -rf "$work"' EXIT

# Build from this checkout (reactor, offline), without installing anything into ~/.m2. Scope compile
# includes bench's provided dependencies (the jobs module, S3Proxy).
if [ "${BUILD:-1}" != 0 ] || [ ! -f "$root/bench/target/sim-classpath.txt" ]; then
  (cd "$root" && mvn -q -B -o -pl bench -am package -DskipTests dependency:build-classpath \
    -Dmdep.outputFile=target/sim-classpath.txt -Dmdep.includeScope=compile) >&2
fi
# The AWS SDK bundle carries unshaded SLF4J 1.x and Netty classes: last, as ./diffusion-batch does.
classpath="$root/bench/target/diffusion-batch-bench-0.1.0-SNAPSHOT.jar:$(tr ':' '\n' < "$root/bench/target/sim-classpath.txt" \
  | awk '/awssdk\/bundle/ {last = $0; next} {printf "%s:", $0} END {print last}')"
source "$root/bench/jvm-opens.sh"
cd "$root"

case "$what" in
  dpmpp|lcm)
    java "-Xmx${HEAP:-3g}" -Xlog:gc:file="$work/gc.log" "${opens[@]}" -cp "$classpath" \
      org.diffusionbatch.bench.sim.SimBenchmark "$what" --scratch "$work" --json "$work/result.json" "$@"
    ;;
  plan)
    rows="${1:?usage: bench/sim/run.sh plan ROWS [--resume-from DONE]}"
    shift
    # local-cluster masters start executor JVMs from $SPARK_HOME/jars: this classpath, linked.
    home="$work/spark-home"
    if [ ! -d "$home/jars" ]; then
      mkdir -p "$home/jars"
      i=0
      for jar in $(echo "$classpath" | tr ':' '\n'); do
        i=$((i + 1))
        ln -s "$jar" "$home/jars/$(printf '%03d' "$i")-$(basename "$jar")"
      done
    fi
    done_ids=()
    if [ "${1:-}" = --resume-from ]; then
      done_ids=(--resume-from "${2:?--resume-from DONE}")
      shift 2
    fi
    # The data in one JVM, the measured run (the driver) in another, so the driver's heap is its own.
    java -Xmx3g "${opens[@]}" -cp "$classpath" org.diffusionbatch.bench.sim.PlanBenchmark data "$rows" --scratch "$work" \
      ${done_ids[@]+"${done_ids[@]}"} > "$work/data-$rows.log" 2>&1 || { tail -20 "$work/data-$rows.log" >&2; exit 1; }
    SPARK_HOME="$home" SPARK_SCALA_VERSION=2.13 java "-Xmx${HEAP:-2g}" -Xlog:gc:file="$work/gc-driver-$rows.log" "${opens[@]}" \
      -cp "$classpath" org.diffusionbatch.bench.sim.PlanBenchmark run "$rows" --scratch "$work" \
      ${done_ids[@]+"${done_ids[@]}"} --json "$work/plan-$rows.json" "$@"
    ;;
  *)
    echo "unknown benchmark $what: use dpmpp, lcm or plan" >&2
    exit 2
    ;;
esac
