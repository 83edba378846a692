package org.diffusionbatch.jobs.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code report/}: the charts and {@code index.html}, a page that shows the table, the charts and
 * every cell's contact sheet with relative links only (it opens from a local folder, or from a
 * copy of the folder, without network). Contact sheets are written as each cell finishes.
 */
final class SweepReport {
  private SweepReport() {}

  static final String FID_NFE = "fid_vs_nfe.png";
  static final String FID_GUIDANCE = "fid_vs_guidance.png";
  static final String CLIP_FID = "clip_vs_fid.png";

  static void write(SweepOutput output, List<Cell> cells, List<MetricsRow> rows, Set<String> varied) throws IOException {
    boolean charts = !rows.isEmpty();
    // Only where the grid varies guidance within a series: two models with different default guidance are no curve.
    boolean guidance = varied.contains("guidance") && SweepCharts.bySeries(rows, varied, Set.of("guidance")).values().stream()
        .anyMatch(series -> series.stream().map(MetricsRow::guidance).distinct().count() > 1);
    boolean clip = rows.stream().anyMatch(r -> r.clipScore() != null);
    if (charts) {
      output.write("report/" + FID_NFE, SweepCharts.fidAgainstNfe(rows, varied));
      if (guidance) {
        output.write("report/" + FID_GUIDANCE, SweepCharts.fidAgainstGuidance(rows, varied));
      }
      if (clip) {
        output.write("report/" + CLIP_FID, SweepCharts.clipAgainstFid(rows, varied));
      }
    }
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sweep report</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:13px}")
        .append("th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f2f2f2}td.t{text-align:left}")
        .append("img{max-width:100%}.sheets{display:flex;flex-wrap:wrap;gap:16px}.sheet{width:480px}")
        .append(".sheet p{margin:4px 0;font-size:13px}.note{color:#666;font-size:13px}\n</style></head><body>\n")
        .append("<h1>Sweep report</h1>\n<p class=\"note\">").append(rows.size()).append(" of ").append(cells.size())
        .append(" cells done. FID ± its sampling error at n (spread of the disjoint groups' FIDs, see docs/sweeps.md); "
            + "NFE counts UNet evaluations per image, the classifier-free-guidance batch twice. "
            + "Also in ../metrics.csv and ../metrics/ (Parquet).</p>\n");
    table(html, rows);
    comparison(html, ModelComparison.of(rows));
    html.append("<h2>Charts</h2>\n");
    if (charts) {
      html.append("<p><img src=\"").append(FID_NFE).append("\" alt=\"FID against NFE\"></p>\n");
      html.append(guidance ? "<p><img src=\"" + FID_GUIDANCE + "\" alt=\"FID against guidance\"></p>\n"
          : "<p class=\"note\">FID against guidance: the grid does not vary guidance.</p>\n");
      html.append(clip ? "<p><img src=\"" + CLIP_FID + "\" alt=\"CLIP score against FID\"></p>\n"
          : "<p class=\"note\">CLIP score against FID: no --clip model was given.</p>\n");
    }
    html.append("<h2>Contact sheets</h2>\n<p class=\"note\">The same prompts and seeds in every cell.</p>\n<div class=\"sheets\">\n");
    for (Cell cell : cells) {
      MetricsRow row = rows.stream().filter(r -> r.cellId().equals(cell.id())).findFirst().orElse(null);
      if (row != null && output.exists("report/sheets/" + cell.id() + ".png")) {
        String src = "sheets/" + cell.id() + ".png";
        html.append("<div class=\"sheet\"><p><b>").append(escape(cell.label())).append("</b>: FID ").append(fmt("%.3f", row.fid()))
            .append(" ± ").append(fmt("%.3f", row.fidError())).append(" (n ").append(row.n()).append(")</p><a href=\"").append(src).append("\"><img src=\"")
            .append(src).append("\" alt=\"").append(escape(cell.label())).append("\"></a></div>\n");
      }
    }
    html.append("</div>\n</body></html>\n");
    output.write("report/index.html", html.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void table(StringBuilder html, List<MetricsRow> rows) {
    html.append("<table>\n<tr><th>cell</th><th>model</th><th>sampler</th><th>steps</th><th>guidance</th><th>rescale</th><th>options</th>")
        .append("<th>NFE</th><th>n</th><th>FID</th><th>± error</th><th>KID ×10³</th><th>± std</th><th>KID n</th><th>CLIP score</th>")
        .append("<th>images/s</th><th>model s/image</th></tr>\n");
    for (MetricsRow r : rows) {
      html.append("<tr><td class=\"t\">").append(r.cellId()).append("</td><td class=\"t\">").append(escape(r.modelName()))
          .append("</td><td class=\"t\">").append(escape(r.sampler())).append("</td><td>").append(r.steps())
          .append("</td><td>").append(Cell.number(r.guidance())).append("</td><td>").append(Cell.number(r.guidanceRescale()))
          .append("</td><td class=\"t\">").append(escape(r.samplerOptions())).append("</td><td>").append(r.nfe())
          .append("</td><td>").append(r.n()).append("</td><td>").append(fmt("%.3f", r.fid())).append("</td><td>").append(fmt("%.3f", r.fidError()))
          .append("</td><td>").append(r.kidMean() == null ? "–" : fmt("%.3f", 1e3 * r.kidMean()))
          .append("</td><td>").append(r.kidStd() == null ? "–" : fmt("%.3f", 1e3 * r.kidStd()))
          .append("</td><td>").append(r.kidN() == null ? "–" : r.kidN().toString())
          .append("</td><td>").append(r.clipScore() == null ? "–" : fmt("%.2f", r.clipScore()))
          .append("</td><td>").append(fmt("%.1f", r.imagesPerSecond())).append("</td><td>").append(fmt("%.4f", r.modelSecondsPerImage()))
          .append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  /** Each other model against the first, where the grid varies the model: the question "what does INT8 cost me?". */
  private static void comparison(StringBuilder html, List<ModelComparison> comparisons) {
    if (comparisons.isEmpty()) {
      return;
    }
    html.append("<h2>Against ").append(escape(comparisons.get(0).baseline().modelName())).append("</h2>\n<p class=\"note\">")
        .append("Each other model's cell against the first model's cell with the same settings: the same prompts, seeds and error ")
        .append("groups, so the error of the difference comes from the groups' paired differences (see docs/sweeps.md). ")
        .append("Also in ../model_comparison.csv.</p>\n<table>\n<tr><th>model</th><th>sampler</th><th>steps</th><th>guidance</th>")
        .append("<th>FID</th><th>first model's FID</th><th>ΔFID ± error</th><th>ΔCLIP score</th></tr>\n");
    for (ModelComparison c : comparisons) {
      MetricsRow r = c.other();
      html.append("<tr><td class=\"t\">").append(escape(r.modelName())).append("</td><td class=\"t\">").append(escape(r.sampler()))
          .append("</td><td>").append(r.steps()).append("</td><td>").append(Cell.number(r.guidance()))
          .append("</td><td>").append(fmt("%.4f", r.fid())).append("</td><td>").append(fmt("%.4f", c.baseline().fid()))
          .append("</td><td>").append(escape(c.deltaText()))
          .append("</td><td>").append(c.clipDelta() == null ? "–" : String.format(Locale.ROOT, "%+.2f", c.clipDelta()))
          .append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  private static String fmt(String format, double value) {
    return String.format(Locale.ROOT, format, value);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
