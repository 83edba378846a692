package org.diffusionbatch.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.diffusionbatch.jobs.spark.S3Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each model against the grid's first model: matched on every setting, ΔFID with the paired groups' error, in the report. */
class ModelComparisonTest {
  @TempDir Path dir;

  private static MetricsRow row(String model, String sampler, int steps, double fid, List<Double> groups, Double clip) {
    return new MetricsRow("c-" + model + "-" + sampler + steps, "/m/" + model, model, sampler, steps, 1, 0, "", 128, 128, steps, 2000, 0,
        fid, MetricsRow.samplingError(groups), groups, null, null, null, clip, clip == null ? 0 : 2000, 100, 0.01, 0.008, 0.001, 1.0, "run");
  }

  @Test
  void eachOtherModelIsComparedWithTheFirstModelsCellOfTheSameSettingsWithThePairedError() {
    List<MetricsRow> rows = List.of(
        row("fp32", "ddim", 50, 0.0050, List.of(0.010, 0.020, 0.030, 0.040), 33.50),
        row("fp32", "dpmpp-2m", 20, 0.0080, List.of(0.010, 0.020, 0.030, 0.040), 33.48),
        row("int8", "dpmpp-2m", 20, 0.0170, List.of(0.020, 0.031, 0.039, 0.050), 33.46),
        row("int8", "euler", 20, 0.0300, List.of(0.03, 0.03, 0.03, 0.03), 33.40));

    List<ModelComparison> comparisons = ModelComparison.of(rows);

    assertEquals(1, comparisons.size(), "int8 euler has no fp32 euler cell to compare with");
    ModelComparison c = comparisons.get(0);
    assertEquals("c-fp32-dpmpp-2m20", c.baseline().cellId());
    assertEquals(0.0090, c.fidDelta(), 1e-15);
    // Differences 0.010, 0.011, 0.009, 0.010: sd (ddof 1) = sqrt(2e-6 / 3), over sqrt(4).
    assertEquals(Math.sqrt(2e-6 / 3) / 2, c.fidDeltaError(), 1e-15);
    assertEquals(-0.02, c.clipDelta(), 1e-12);
    assertEquals("+0.00900 ± 0.00041", c.deltaText());
  }

  @Test
  void aTableOfOneModelHasNoComparisonAndNoClipGivesNoClipDelta() {
    MetricsRow a = row("fp32", "ddim", 50, 0.005, List.of(0.01, 0.02), null);
    assertTrue(ModelComparison.of(List.of(a)).isEmpty());
    assertEquals("", ModelComparison.markdown(List.of()));
    assertNull(ModelComparison.between(a, row("fp16", "ddim", 50, 0.006, List.of(0.01, 0.02), null)).clipDelta());
  }

  @Test
  void theReportSummaryAndCsvShowTheDifference() throws Exception {
    SweepOutput output = new SweepOutput(dir.toUri().toString(), new S3Endpoint(null, null, false), new Configuration());
    List<MetricsRow> rows = List.of(
        row("tiny-sd", "dpmpp-2m", 20, 0.0082, List.of(0.010, 0.020, 0.030, 0.040), 33.48),
        row("tiny-sd-int8", "dpmpp-2m", 20, 0.0171, List.of(0.020, 0.031, 0.039, 0.050), 33.46));
    SweepReport.write(output, List.of(), rows, Set.of("model"));

    String html = Files.readString(dir.resolve("report/index.html"));
    assertTrue(html.contains("<h2>Against tiny-sd</h2>"), html);
    assertTrue(html.contains("<td>+0.00890 ± 0.00041</td>"), html);
    String markdown = ModelComparison.markdown(ModelComparison.of(rows));
    assertTrue(markdown.contains("| tiny-sd-int8 | dpmpp-2m | 20 | 1 | 0.017 | +0.00890 ± 0.00041 | -0.02 |"), markdown);
    String csv = MetricsTable.comparisonCsv(ModelComparison.of(rows));
    assertTrue(csv.startsWith("baseline_cell_id,cell_id,baseline_model_name,model_name,fid_delta,fid_delta_error,clip_delta\n"
        + "c-tiny-sd-dpmpp-2m20,c-tiny-sd-int8-dpmpp-2m20,tiny-sd,tiny-sd-int8,0.0089"), csv);
  }
}
