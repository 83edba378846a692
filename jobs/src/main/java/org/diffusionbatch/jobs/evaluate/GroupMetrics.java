package org.diffusionbatch.jobs.evaluate;

import org.diffusionbatch.core.metrics.FrechetDistance;
import org.diffusionbatch.core.metrics.KernelInceptionDistance;

/**
 * The metrics of one group, each with its sample size.
 *
 * @param images rows read
 * @param n images whose features entered the statistics
 * @param unreadable images that could not be decoded (left out of everything)
 * @param nonFinite images whose features were NaN or infinite (left out of FID and KID)
 * @param fid null without a reference
 * @param kid null without --kid
 * @param clipScore null without --clip (or when no row had a prompt)
 * @param clipN pairs in the CLIP score
 * @param withoutPrompt rows with a null prompt (no CLIP score)
 */
record GroupMetrics(GroupKey key, long images, long n, long unreadable, long nonFinite, FrechetDistance.Result fid,
    KernelInceptionDistance.Result kid, Double clipScore, long clipN, long withoutPrompt) {

  long excluded() {
    return unreadable + nonFinite;
  }
}
