package org.diffusionbatch.jobs.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * When the grid varies the model (e.g. fp32, fp16 and INT8 exports of one model), each other
 * model's cell against the first model's cell with the same settings: the FID difference and its
 * paired sampling error. Cells share their sample rows and error groups (the same prompts and seeds
 * in the same consecutive groups), so the group-wise differences cancel most of the prompt-to-prompt
 * noise that each FID's own error carries.
 *
 * @param baseline the first model's row (the grid's first model)
 * @param other the other model's row with the same sampler, steps, guidance, rescale, options and size
 * @param fidDelta other's FID minus the baseline's
 * @param fidDeltaError sd (ddof 1) of the G group-wise differences over sqrt(G), as {@link MetricsRow#samplingError}
 * @param clipDelta other's CLIP score minus the baseline's, or null without --clip
 */
record ModelComparison(MetricsRow baseline, MetricsRow other, double fidDelta, double fidDeltaError, Double clipDelta) {

  /** The comparisons of a finished table, in table order; empty unless it holds more than one model. */
  static List<ModelComparison> of(List<MetricsRow> rows) {
    List<ModelComparison> out = new ArrayList<>();
    if (rows.isEmpty()) {
      return out;
    }
    String first = rows.get(0).model();
    for (MetricsRow other : rows) {
      if (other.model().equals(first)) {
        continue;
      }
      rows.stream().filter(r -> r.model().equals(first) && sameSettings(r, other)).findFirst()
          .ifPresent(baseline -> out.add(between(baseline, other)));
    }
    return out;
  }

  static ModelComparison between(MetricsRow baseline, MetricsRow other) {
    List<Double> a = baseline.fidGroups();
    List<Double> b = other.fidGroups();
    double error = Double.NaN;
    if (a != null && b != null && a.size() == b.size() && a.size() > 1) {
      List<Double> differences = new ArrayList<>(a.size());
      for (int g = 0; g < a.size(); g++) {
        differences.add(b.get(g) - a.get(g));
      }
      error = MetricsRow.samplingError(differences);
    }
    Double clip = baseline.clipScore() == null || other.clipScore() == null ? null : other.clipScore() - baseline.clipScore();
    return new ModelComparison(baseline, other, other.fid() - baseline.fid(), error, clip);
  }

  private static boolean sameSettings(MetricsRow a, MetricsRow b) {
    return a.sampler().equals(b.sampler()) && a.steps() == b.steps() && a.guidance() == b.guidance()
        && a.guidanceRescale() == b.guidanceRescale() && Objects.equals(a.samplerOptions(), b.samplerOptions())
        && a.width() == b.width() && a.height() == b.height() && a.n() == b.n();
  }

  /** A Markdown section for summary.md and the console; empty when there is nothing to compare. */
  static String markdown(List<ModelComparison> comparisons) {
    if (comparisons.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder("\nAgainst ").append(comparisons.get(0).baseline().modelName())
        .append(" (same prompts, seeds and settings; error from the paired groups):\n\n")
        .append("| model | sampler | steps | guidance | FID | ΔFID ± error | ΔCLIP score |\n|")
        .append(" --- |".repeat(7)).append('\n');
    for (ModelComparison c : comparisons) {
      MetricsRow r = c.other();
      md.append("| ").append(r.modelName()).append(" | ").append(r.sampler()).append(" | ").append(r.steps()).append(" | ")
          .append(Cell.number(r.guidance())).append(" | ").append(fmt("%.3f", r.fid())).append(" | ")
          .append(c.deltaText()).append(" | ").append(c.clipDelta() == null ? "–" : fmt("%+.2f", c.clipDelta())).append(" |\n");
    }
    return md.toString();
  }

  /** ΔFID ± its paired error, with a sign. */
  String deltaText() {
    return Double.isNaN(fidDeltaError) ? fmt("%+.4f", fidDelta) : fmt("%+.4f ± %.4f", fidDelta, fidDeltaError);
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
