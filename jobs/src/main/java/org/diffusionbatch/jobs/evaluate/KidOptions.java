package org.diffusionbatch.jobs.evaluate;

import picocli.CommandLine.Option;

/** The KID options {@code fid} and {@code evaluate} share. */
final class KidOptions {
  @Option(names = "--kid", description = "Also compute KID (clean-fid's estimator; needs the features of both sets, not a .npz).")
  boolean kid;

  @Option(names = "--kid-subsets", paramLabel = "N", defaultValue = "100", description = "KID subsets (default 100, as clean-fid).")
  int subsets;

  @Option(names = "--kid-subset-size", paramLabel = "N", defaultValue = "1000",
      description = "Rows per KID subset at most (default 1000, as clean-fid); fewer when a set is smaller.")
  int subsetSize;

  @Option(names = "--kid-max-features", paramLabel = "N", defaultValue = "10000",
      description = "Feature vectors kept per set (a seeded sample) to draw KID's subsets from (default 10000; 80 MB per set at 2048-d).")
  int maxFeatures;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the KID sample and subsets (default 0).")
  long seed;

  /** The settings, or null without --kid. */
  EvaluateOptions.KidSettings settings() {
    if (!kid) {
      return null;
    }
    if (subsets < 1 || subsetSize < 2 || maxFeatures < 2) {
      throw new IllegalArgumentException("--kid-subsets must be at least 1, --kid-subset-size and --kid-max-features at least 2");
    }
    return new EvaluateOptions.KidSettings(subsets, subsetSize, maxFeatures, seed);
  }
}
