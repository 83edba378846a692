"""Nightly diffusion-batch generate run as a step on a running EMR cluster.

The cluster must have been created with deploy/emr/cluster-config.json and the bootstrap action
deploy/emr/bootstrap-diffusion-batch.sh (see deploy/README.md). Its id comes from the Airflow
Variable ``diffusion_batch_emr_cluster_id``; the AWS connection is ``aws_default``.

Each run reads ``prompts/dt=<ds>/`` and writes its own dataset ``images/dt=<ds>``, so runs never
share an output. ``--resume`` makes clearing a failed run's tasks fill in only the prompt_ids the
failed attempt did not commit.
"""

from __future__ import annotations

import pendulum
from airflow import DAG
from airflow.providers.amazon.aws.operators.emr import EmrAddStepsOperator
from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor

CLUSTER_ID = "{{ var.value.diffusion_batch_emr_cluster_id }}"

# spark-submit's own arguments: Spark 4.0.1 from /opt/spark through the bootstrap action's wrapper
# (EMR's Spark 3.5 cannot run the job), GPU executors shared by 4 tasks each, and the S3A magic
# committer. spark.yarn.jars lists the cloud jars after Spark's own: the AWS SDK bundle's unshaded
# SLF4J/Netty must not shadow Spark's.
SPARK_SUBMIT_ARGS = [
    "/opt/diffusion-batch/bin/spark-submit",
    "--master", "yarn",
    "--deploy-mode", "cluster",
    "--name", "diffusion-batch-generate-{{ ds }}",
    "--class", "org.diffusionbatch.jobs.generate.GenerateJob",
    "--conf", "spark.yarn.jars=local:/opt/spark/jars/*,local:/opt/spark/hadoop-cloud/*",
    "--conf", "spark.driver.extraClassPath=/opt/diffusion-batch/lib/*",
    "--conf", "spark.executor.extraClassPath=/opt/diffusion-batch/lib/*",
    "--conf", "spark.executor.extraLibraryPath=/opt/diffusion-batch/cuda/lib:/usr/lib/hadoop/lib/native",
    "--conf", "spark.executor.resource.gpu.amount=1",
    "--conf", "spark.task.resource.gpu.amount=0.25",
    "--conf", "spark.executor.resource.gpu.discoveryScript=/opt/spark/scripts/gpu/getGpusResources.sh",
    "--conf", "spark.executor.instances=2",
    "--conf", "spark.executor.cores=4",
    "--conf", "spark.task.cpus=1",
    "--conf", "spark.executor.memory=16g",
    "--conf", "spark.executor.memoryOverhead=8g",
    "--conf", "spark.driver.memory=4g",
    "--conf", "spark.driver.memoryOverhead=8g",
    "--conf", "spark.hadoop.fs.s3a.committer.name=magic",
    "--conf", "spark.hadoop.fs.s3a.committer.magic.enabled=true",
    "--conf", "spark.sql.sources.commitProtocolClass=org.apache.spark.internal.io.cloud.PathOutputCommitProtocol",
    "--conf", "spark.sql.parquet.output.committer.class=org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter",
    "--conf", "spark.hadoop.fs.s3a.aws.credentials.provider=software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider",
    "--conf", "spark.speculation=false",
    "--conf", "spark.dynamicAllocation.enabled=false",
    "--conf", "spark.yarn.maxAppAttempts=1",
    # DJL offline and without telemetry (its EC2 instance-id report) in the driver and executors.
    "--conf", "spark.executorEnv.DJL_OFFLINE=true",
    "--conf", "spark.executorEnv.OPT_OUT_TRACKING=true",
    "--conf", "spark.yarn.appMasterEnv.DJL_OFFLINE=true",
    "--conf", "spark.yarn.appMasterEnv.OPT_OUT_TRACKING=true",
    "local:/opt/diffusion-batch/diffusion-batch-jobs.jar",
]

# The job's arguments (the bucket and model are yours); {{ ds }} is the run's logical date.
JOB_ARGS = [
    "--prompts", "s3://your-bucket/prompts/dt={{ ds }}/",
    "--output", "s3a://your-bucket/images/dt={{ ds }}",
    "--model", "s3://your-bucket/models/stable-diffusion-v1-5-onnx/",
    "--device", "gpu",
    "--batch-size", "8",
    "--model-cache", "/mnt/diffusion-batch/model-cache",
    "--resume",
]

GENERATE_STEP = {
    "Name": "diffusion-batch generate {{ ds }}",
    "ActionOnFailure": "CONTINUE",
    "HadoopJarStep": {"Jar": "command-runner.jar", "Args": SPARK_SUBMIT_ARGS + JOB_ARGS},
}

with DAG(
    dag_id="diffusion_batch_generate_nightly",
    description="Prompts of the day to images on EMR GPU nodes",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["diffusion-batch"],
) as dag:
    add_step = EmrAddStepsOperator(
        task_id="add_generate_step",
        job_flow_id=CLUSTER_ID,
        steps=[GENERATE_STEP],
    )
    wait_for_step = EmrStepSensor(
        task_id="wait_for_generate_step",
        job_flow_id=CLUSTER_ID,
        step_id="{{ task_instance.xcom_pull(task_ids='add_generate_step', key='return_value')[0] }}",
        mode="reschedule",
        poke_interval=300,
        timeout=24 * 3600,
    )
    add_step >> wait_for_step
