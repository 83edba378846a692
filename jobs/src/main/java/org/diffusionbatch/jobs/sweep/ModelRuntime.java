package org.diffusionbatch.jobs.sweep;

import java.io.Serializable;
import org.diffusionbatch.jobs.spark.S3Endpoint;

/** How executors load and run every model of a sweep (diffusion, features, CLIP): threads, graph optimisation, cache, S3. */
record ModelRuntime(int intraOpThreads, int interOpThreads, String ortOptLevel, int gpuRunsPerGraph, String modelCache, S3Endpoint s3)
    implements Serializable {}
