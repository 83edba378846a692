#!/usr/bin/env bash
# EMR bootstrap action (runs on every node before YARN starts). EMR 7.x ships Spark 3.5 for
# Scala 2.12, which cannot run this Spark 4.0.1 / Scala 2.13 job, so each node gets the image's
# own Spark and application under /opt (the same paths as in the image):
#   /opt/spark            Spark 4.0.1, with S3A and the cloud committers in /opt/spark/hadoop-cloud
#   /opt/diffusion-batch  the job's jar and lib/
# plus, on GPU nodes, the CUDA 12 and cuDNN 9 libraries ONNX Runtime's GPU build loads
# (/opt/diffusion-batch/cuda/lib), and the cgroup mount YARN's GPU isolation uses on EMR 7.
#
# Usage (bootstrap action): s3://your-bucket/diffusion-batch/bootstrap-diffusion-batch.sh \
#                           s3://your-bucket/diffusion-batch/diffusion-batch-emr.tgz
# Make the tarball from the image:
#   docker run --rm --entrypoint tar <your-registry>/diffusion-batch:0.1.0 -C /opt -czf - spark diffusion-batch > diffusion-batch-emr.tgz
set -euo pipefail

tarball="${1:-}"
if [[ "$tarball" != s3://* ]]; then
  echo "bootstrap-diffusion-batch.sh: give the s3:// URI of diffusion-batch-emr.tgz as the first argument" >&2
  exit 2
fi

work="$(mktemp -d)"
aws s3 cp --only-show-errors "$tarball" "$work/app.tgz"
sudo tar -xzf "$work/app.tgz" -C /opt
rm -rf "$work"
test -x /opt/spark/bin/spark-submit || { echo "$tarball has no spark/bin/spark-submit" >&2; exit 1; }
test -f /opt/diffusion-batch/diffusion-batch-jobs.jar || { echo "$tarball has no diffusion-batch/diffusion-batch-jobs.jar" >&2; exit 1; }

# Spark finds EMR's YARN through its Hadoop configuration (written after bootstrap); the cloud
# jars go after Spark's own on a client-mode driver's classpath, as in the image.
sudo tee /opt/spark/conf/spark-env.sh >/dev/null <<'ENV'
export HADOOP_CONF_DIR=/etc/hadoop/conf YARN_CONF_DIR=/etc/hadoop/conf
export SPARK_DIST_CLASSPATH='/opt/spark/hadoop-cloud/*'
ENV

# The step's spark-submit: pins SPARK_HOME and SPARK_CONF_DIR so nothing in the node's environment
# (EMR's own Spark lives in /usr/lib/spark) can send it to Spark 3.5.
sudo mkdir -p /opt/diffusion-batch/bin
sudo tee /opt/diffusion-batch/bin/spark-submit >/dev/null <<'SUBMIT'
#!/usr/bin/env bash
export SPARK_HOME=/opt/spark SPARK_CONF_DIR=/opt/spark/conf
exec /opt/spark/bin/spark-submit "$@"
SUBMIT
sudo chmod 0755 /opt/diffusion-batch/bin/spark-submit

# Node-local model cache on the instance's data volume, writable by the YARN containers' user.
sudo mkdir -p /mnt/diffusion-batch/model-cache
sudo chmod 1777 /mnt/diffusion-batch /mnt/diffusion-batch/model-cache

if command -v nvidia-smi >/dev/null 2>&1; then
  # CUDA 12 runtime libraries and cuDNN 9 from NVIDIA's Python wheels (the ones onnxruntime-gpu
  # itself depends on), gathered into one directory for spark.executor.extraLibraryPath.
  sudo python3 -m pip install --quiet --target /opt/diffusion-batch/cuda \
    nvidia-cuda-runtime-cu12 nvidia-cublas-cu12 nvidia-cufft-cu12 nvidia-curand-cu12 \
    nvidia-cuda-nvrtc-cu12 nvidia-nvjitlink-cu12 'nvidia-cudnn-cu12==9.*'
  sudo mkdir -p /opt/diffusion-batch/cuda/lib
  sudo find /opt/diffusion-batch/cuda/nvidia -name '*.so*' -exec ln -sf {} /opt/diffusion-batch/cuda/lib/ \;
  # YARN's GPU isolation on EMR 7 (cgroup v2 hosts) needs the v1 devices controller mounted here;
  # cluster-config.json points yarn.nodemanager.linux-container-executor.cgroups.mount-path at it.
  sudo mkdir -p /spark-rapids-cgroup/devices
  sudo mount -t cgroup -o devices cgroupv1-devices /spark-rapids-cgroup/devices
  sudo chmod a+rwx -R /spark-rapids-cgroup
fi
