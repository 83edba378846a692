#!/usr/bin/env bash
# Builds what a Spark 4.0.1 cluster needs to run the generate job, from this repository:
#   OUT/diffusion-batch-jobs.jar  the application jar (spark-submit's primary resource)
#   OUT/lib/*.jar                 everything the app needs that a stock spark-4.0.1-bin-hadoop3 lacks
#                                 (core, DJL, ONNX Runtime (GPU build unless --cpu-only), picocli, ...)
#   OUT/hadoop-cloud/*.jar        S3A and the cloud committers, which the stock distribution lacks:
#                                 hadoop-aws, the AWS SDK bundle, spark-hadoop-cloud. Put them AFTER
#                                 Spark's own jars on the classpath (SPARK_DIST_CLASSPATH, or
#                                 --jars): the SDK bundle 2.24.6 carries unshaded copies of SLF4J 1.7,
#                                 Netty 4.1.100 and Apache HttpClient, and where those come first they
#                                 replace Spark's (SLF4J 1.7 finds no binding and silences all logs).
# Spark itself is not copied: the cluster (or the image) provides it.
#
# Usage: deploy/build-app.sh [--cpu-only] [--prune-against SPARK_JARS_DIR] OUT
#   --cpu-only        keep ONNX Runtime's CPU jar (for CPU-only clusters)
#   --prune-against   drop from lib/ any jar whose artifact the given Spark jars dir already has
#                     (Spark's copy wins on the classpath anyway; this keeps one copy of each)
set -euo pipefail

# onnxruntime_gpu is published for 1.21.0 but not 1.21.1 (the CPU version DJL 0.36.0 uses); the
# Java API of a patch release is the same, so the GPU jar of the same minor version replaces it.
ORT_GPU_VERSION="${ORT_GPU_VERSION:-1.21.0}"

# The header comment, without its '# ', is the usage text.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

cpu_only=false
prune_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu-only) cpu_only=true; shift ;;
    --prune-against) prune_dir="${2:?--prune-against needs a directory}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "build-app.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -ne 1 ]; then
  echo "build-app.sh: give exactly one output directory" >&2; usage >&2; exit 2
fi
if [ -n "$prune_dir" ] && [ ! -d "$prune_dir" ]; then
  echo "build-app.sh: --prune-against $prune_dir is not a directory (want \$SPARK_HOME/jars)" >&2; exit 2
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$1"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
lib="$out/lib"
cloud_jars="$out/hadoop-cloud"
rm -rf "$lib" "$cloud_jars"
mkdir -p "$lib" "$cloud_jars"

mvn_() { mvn -B -q -f "$repo/pom.xml" "$@"; }

prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$repo/pom.xml" | head -n 1; }

echo "build-app.sh: building core and jobs" >&2
# No install: nothing of this build lands in ~/.m2, where other checkouts would pick it up.
# jobs' direct dependencies minus Spark and Hadoop, which the cluster provides (core, picocli, ...).
# -DskipTests, not -Dmaven.test.skip: jobs' tests depend on core's test jar, which the reactor must
# build even when no test runs (with maven.test.skip and no core test jar in ~/.m2, as in a clean
# image build, dependency resolution fails).
mvn_ -DskipTests -pl jobs -am package dependency:copy-dependencies -DincludeScope=runtime \
  -DexcludeTransitive=true -DexcludeGroupIds=org.apache.spark,org.apache.hadoop -DoutputDirectory="$lib"
# core has no Spark in it, so its whole runtime closure belongs to the app.
mvn_ -pl core dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib"
# The cloud jars, at the versions the root pom pins.
for gav in "org.apache.hadoop:hadoop-aws:$(prop hadoop.version)" \
           "software.amazon.awssdk:bundle:$(prop awssdk.version)" \
           "org.apache.spark:spark-hadoop-cloud_$(prop scala.binary.version):$(prop spark.version)"; do
  mvn_ -N dependency:copy -Dartifact="$gav" -DoutputDirectory="$cloud_jars"
done

jobs_jar="$(find "$repo/jobs/target" -maxdepth 1 -name 'diffusion-batch-jobs-*.jar' \
  ! -name '*-sources.jar' ! -name '*-tests.jar' ! -name 'original-*' | head -n 1)"
if [ -z "$jobs_jar" ]; then
  echo "build-app.sh: no diffusion-batch-jobs-*.jar in $repo/jobs/target after the build" >&2; exit 1
fi
cp "$jobs_jar" "$out/diffusion-batch-jobs.jar"

if [ "$cpu_only" = false ]; then
  cpu_jar="$(find "$lib" -maxdepth 1 -name 'onnxruntime-[0-9]*.jar' | head -n 1)"
  if [ -z "$cpu_jar" ]; then
    echo "build-app.sh: no onnxruntime-<version>.jar among core's dependencies in $lib" >&2; exit 1
  fi
  cpu_version="$(basename "$cpu_jar" .jar)"; cpu_version="${cpu_version#onnxruntime-}"
  if [ "${cpu_version%.*}" != "${ORT_GPU_VERSION%.*}" ]; then
    echo "build-app.sh: ONNX Runtime CPU jar is $cpu_version but ORT_GPU_VERSION is $ORT_GPU_VERSION;" \
      "set ORT_GPU_VERSION to a published com.microsoft.onnxruntime:onnxruntime_gpu ${cpu_version%.*}.x" >&2
    exit 1
  fi
  echo "build-app.sh: replacing onnxruntime-$cpu_version.jar with onnxruntime_gpu-$ORT_GPU_VERSION.jar" >&2
  rm -f "$cpu_jar"
  mvn_ -N dependency:copy -Dartifact="com.microsoft.onnxruntime:onnxruntime_gpu:$ORT_GPU_VERSION" \
    -DoutputDirectory="$lib"
fi

# An artifact's name without its version: guava-33.4.0-jre.jar -> guava, spark-sql_2.13-4.0.1.jar -> spark-sql_2.13.
artifact_of() { basename "$1" .jar | sed -E 's/-[0-9].*$//'; }

drop_jars_also_in() {
  local dir="$1" jar
  declare -A have=()
  for jar in "$dir"/*.jar; do [ -e "$jar" ] && have["$(artifact_of "$jar")"]=1; done
  for jar in "$lib"/*.jar; do
    if [ -n "${have[$(artifact_of "$jar")]:-}" ]; then rm -f "$jar"; fi
  done
}

# One copy of each: the cloud jars go on the classpath after Spark's jars (see above), not in lib/.
drop_jars_also_in "$cloud_jars"
if [ -n "$prune_dir" ]; then drop_jars_also_in "$prune_dir"; fi

echo "build-app.sh: $(find "$lib" -name '*.jar' | wc -l) jars in $lib, $(find "$cloud_jars" -name '*.jar' | wc -l) in $cloud_jars" >&2
