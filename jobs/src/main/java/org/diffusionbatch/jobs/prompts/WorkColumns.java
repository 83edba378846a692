package org.diffusionbatch.jobs.prompts;

import java.util.List;

/** Column names of the prompt table as the job reads it, after {@link PromptTable} normalised it. */
public final class WorkColumns {
  private WorkColumns() {}

  public static final String PROMPT_ID = "prompt_id";
  public static final String PROMPT = "prompt";
  public static final String NEGATIVE_PROMPT = "negative_prompt";
  public static final String SEED = "seed";
  public static final String STEPS = "steps";
  public static final String GUIDANCE_SCALE = "guidance_scale";
  public static final String SAMPLER = "sampler";
  public static final String WIDTH = "width";
  public static final String HEIGHT = "height";
  /** The file the row came from, relative to --prompts. */
  public static final String SOURCE_FILE = "source_file";
  /** The row's 0-based position within its file. */
  public static final String SOURCE_POSITION = "source_position";
  /** The input row as JSON, for the errors dataset. */
  public static final String INPUT_JSON = "input_json";
  /** A JSON Lines line that is not JSON, as read; null for every other row. */
  public static final String MALFORMED = "malformed_json";

  /** The optional per-row columns, read as strings and parsed per row so a bad value is that row's error. */
  public static final List<String> OPTIONAL =
      List.of(PROMPT_ID, NEGATIVE_PROMPT, SEED, STEPS, GUIDANCE_SCALE, SAMPLER, WIDTH, HEIGHT);
}
