#!/usr/bin/env bash
# GPU discovery script of the local cluster's workers (spark.worker.resource.gpu.discoveryScript):
# prints the stand-in GPU addresses in STANDIN_GPU_ADDRESSES (comma-separated, e.g. 0,1) as a
# ResourceInformation JSON, the form Spark's getGpusResources.sh prints for real GPUs from nvidia-smi.
set -euo pipefail
addresses="${STANDIN_GPU_ADDRESSES:?set STANDIN_GPU_ADDRESSES to the stand-in GPU addresses, e.g. 0,1}"
quoted="$(sed -E 's/[^,]+/"&"/g; s/,/, /g' <<< "$addresses")"
printf '{"name": "gpu", "addresses": [%s]}\n' "$quoted"
