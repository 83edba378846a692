package org.diffusionbatch.jobs.sweep;

import java.io.Serializable;
import org.diffusionbatch.jobs.generate.GenerateOptions;

/** How executors load and run every model of a sweep (diffusion, features, CLIP): threads, graph optimisation, cache, S3. */
record ModelRuntime(int intraOpThreads, int interOpThreads, String ortOptLevel, String modelCache, GenerateOptions.S3Options s3)
    implements Serializable {}
