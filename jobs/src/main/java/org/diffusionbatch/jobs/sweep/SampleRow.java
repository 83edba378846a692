package org.diffusionbatch.jobs.sweep;

import java.io.Serializable;

/**
 * One image every cell makes: the same prompt and seed in each cell, so cells differ only in their
 * settings (paired comparison).
 *
 * @param index position in the sweep's fixed order (0-based)
 * @param key the row's key: its prompt_id, or {@code prompt_id~c} for the c-th extra pass of {@code --cycle-prompts}
 */
record SampleRow(int index, String key, String promptId, String prompt, String negativePrompt, long seed) implements Serializable {}
