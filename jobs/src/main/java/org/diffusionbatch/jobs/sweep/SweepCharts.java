package org.diffusionbatch.jobs.sweep;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * The sweep's charts, drawn with XChart as PNG: FID against NFE (one line per sampler and other
 * varied setting, log x axis, FID's sampling error as error bars), FID against guidance, and CLIP
 * score against FID.
 */
final class SweepCharts {
  private SweepCharts() {}

  private static final int WIDTH = 900;
  private static final int HEIGHT = 560;

  static byte[] fidAgainstNfe(List<MetricsRow> rows, Set<String> varied) {
    XYChart chart = chart("FID against UNet evaluations per image", "NFE (UNet evaluations per image, CFG counted twice)", "FID");
    chart.getStyler().setXAxisLogarithmic(true);
    // Label 2, 3, 5, 20, ... too: sweeps of steps rarely span several decades.
    chart.getStyler().setXAxisLogarithmicDecadeOnly(false);
    lines(chart, rows, varied, Set.of("steps"), MetricsRow::nfe);
    return png(chart);
  }

  static byte[] fidAgainstGuidance(List<MetricsRow> rows, Set<String> varied) {
    XYChart chart = chart("FID against guidance scale", "guidance scale", "FID");
    lines(chart, rows, varied, Set.of("guidance"), MetricsRow::guidance);
    return png(chart);
  }

  static byte[] clipAgainstFid(List<MetricsRow> rows, Set<String> varied) {
    XYChart chart = chart("CLIP score against FID (each point a cell)", "FID", "CLIP score");
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    Map<String, List<MetricsRow>> series = bySeries(rows.stream().filter(r -> r.clipScore() != null).toList(), varied, Set.of("steps"));
    series.forEach((name, points) -> chart.addSeries(name, points.stream().map(MetricsRow::fid).toList(),
        points.stream().map(MetricsRow::clipScore).toList()));
    return png(chart);
  }

  private static XYChart chart(String title, String x, String y) {
    Headless.ensure();
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
    Styler styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setLegendPosition(Styler.LegendPosition.OutsideE);
    styler.setLegendBorderColor(Color.LIGHT_GRAY);
    styler.setChartTitleBoxVisible(false);
    styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
    chart.getStyler().setPlotGridLinesStroke(new BasicStroke(1f));
    chart.getStyler().setErrorBarsColorSeriesColor(true);
    chart.getStyler().setDecimalPattern("#,##0.###");
    return chart;
  }

  /** One line per series, points sorted by x, FID's sampling error as error bars. */
  private static void lines(XYChart chart, List<MetricsRow> rows, Set<String> varied, Set<String> alongX, ToDoubleFunction<MetricsRow> x) {
    bySeries(rows, varied, alongX).forEach((name, points) -> {
      List<MetricsRow> sorted = new ArrayList<>(points);
      sorted.sort(Comparator.comparingDouble(x));
      chart.addSeries(name, sorted.stream().map(x::applyAsDouble).toList(), sorted.stream().map(MetricsRow::fid).toList(),
          sorted.stream().map(MetricsRow::fidError).toList());
    });
  }

  /** Rows grouped by the varied settings other than those along the x axis, in first-seen order. */
  static Map<String, List<MetricsRow>> bySeries(List<MetricsRow> rows, Set<String> varied, Set<String> alongX) {
    Map<String, List<MetricsRow>> series = new LinkedHashMap<>();
    for (MetricsRow row : rows) {
      series.computeIfAbsent(seriesName(row, varied, alongX), k -> new ArrayList<>()).add(row);
    }
    return series;
  }

  static String seriesName(MetricsRow row, Set<String> varied, Set<String> alongX) {
    List<String> parts = new ArrayList<>();
    if (varied.contains("model")) {
      parts.add(row.modelName());
    }
    parts.add(row.sampler());
    if (varied.contains("steps") && !alongX.contains("steps")) {
      parts.add(row.steps() + " steps");
    }
    if (varied.contains("guidance") && !alongX.contains("guidance")) {
      parts.add("cfg " + Cell.number(row.guidance()));
    }
    if (varied.contains("guidance_rescale")) {
      parts.add("rescale " + Cell.number(row.guidanceRescale()));
    }
    if (varied.stream().anyMatch(v -> v.startsWith(GridKey.OPTION_PREFIX)) && !row.samplerOptions().isEmpty()) {
      parts.add(row.samplerOptions());
    }
    return String.join(", ", parts);
  }

  private static byte[] png(XYChart chart) {
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
