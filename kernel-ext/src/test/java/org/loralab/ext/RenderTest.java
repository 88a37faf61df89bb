package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.loralab.ext.render.ChartImages;
import org.loralab.ext.render.Charts;
import org.loralab.ext.render.ReportHtml;
import org.loralab.ext.render.TableHtml;
import org.loralab.lora.train.EpochStats;
import org.loralab.lora.train.StopReason;
import org.loralab.lora.train.TrainingReport;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class RenderTest {

    static Table table(int rows) {
        IntColumn i = IntColumn.create("i");
        StringColumn s = StringColumn.create("text");
        for (int k = 0; k < rows; k++) {
            i.append(k);
            s.append(k == 0 ? "<b>bold</b> & \"q\"" : "row" + k);
        }
        return Table.create("t<1>", i, s);
    }

    static TrainingReport report(StopReason reason) {
        return new TrainingReport(List.of(new EpochStats(1, 1.0, 0.5, 0.9, 0.6, 1.0),
                new EpochStats(2, 0.5, 0.8, 0.6, 0.75, 1.0)), new double[] {1.2, 1.0, 0.8, 0.5}, 4, 4, 64, 2.0, 22,
                46, -1, "not measurable", "cpu()", reason, null);
    }

    @Test
    void tableHtmlShowsFourSignificantDigitsWithoutChangingTheTable() {
        tech.tablesaw.api.DoubleColumn d = tech.tablesaw.api.DoubleColumn.create("loss",
                new double[] {3.2055536292493345, 0.18705493770539, 1.234567e-8, 12.847891912, Double.NaN});
        Table t = Table.create("r", d);
        String html = TableHtml.render(t);
        for (String shown : new String[] {">3.206<", ">0.1871<", ">1.235E-8<", ">12.85<", ">NaN<"}) {
            assertTrue(html.contains(shown), shown + " in " + html);
        }
        assertFalse(html.contains("3.2055536"));
        assertEquals("3.2055536292493345", t.doubleColumn("loss").getString(0));
    }

    @Test
    void tableHtmlEscapesTextAndCapsRows() {
        String html = TableHtml.render(table(120), 50);
        assertTrue(html.contains("&lt;b&gt;bold&lt;/b&gt;"), html.substring(0, 400));
        assertFalse(html.contains("<b>bold</b>"));
        assertTrue(html.contains("t&lt;1&gt;"));
        assertTrue(html.contains("70 more rows"));
        assertEquals(50, count(html, "<td>row") + 1); // row0 is the escaped one
        assertFalse(TableHtml.render(table(3), 50).contains("more row"));
        assertTrue(TableHtml.render(table(51), 50).contains("1 more row<"));
    }

    @Test
    void kernelRendererShowsTablesReportsAndChartsAsRichMime() {
        Renderer r = new Renderer();
        org.loralab.ext.LabExtension.registerRenderers(r);
        DisplayData t = r.render(table(3));
        assertTrue(String.valueOf(t.getData(MIMEType.TEXT_HTML)).contains("<table"));
        assertNotNull(t.getData(MIMEType.TEXT_PLAIN));
        DisplayData rep = r.render(report(StopReason.COMPLETED));
        String html = String.valueOf(rep.getData(MIMEType.TEXT_HTML));
        assertTrue(html.contains("data:image/png;base64,"));
        assertTrue(html.contains("completed: 4/4 steps"));
        DisplayData png = r.render(Charts.loss(new double[] {3, 2, 1}, "loss"));
        byte[] bytes = java.util.Base64.getDecoder().decode(String.valueOf(png.getData(MIMEType.IMAGE_PNG)));
        assertEquals((byte) 0x89, bytes[0]);
        assertEquals('P', bytes[1]);
        DisplayData svg = r.renderAs(Charts.loss(new double[] {3, 2, 1}, "loss"), "image/svg+xml");
        assertTrue(String.valueOf(svg.getData(MIMEType.IMAGE_SVG)).contains("<svg"));
    }

    @Test
    void chartsForSpectraHeatmapsAndSweepsRender() {
        java.util.Map<String, org.loralab.lora.analysis.Spectrum> spectra = new java.util.LinkedHashMap<>();
        spectra.put("W", new org.loralab.lora.analysis.Spectrum(new double[] {10, 1, 0.1, 0}, 101.01, true));
        var spec = Charts.spectrum("s", spectra);
        assertTrue(spec.getStyler().isYAxisLogarithmic());
        assertEquals(3, spec.getSeries("W").getXData().length); // the zero is left off a log axis
        assertTrue(ChartImages.png(spec).length > 1000);
        assertTrue(ChartImages.png(Charts.subspaceHeatmap("phi", new double[][] {{1, 0.5}, {0.5, 0.2}})).length
                > 1000);
        Table sweep = org.loralab.lora.train.SweepTestAccess.table();
        var c = Charts.rankVsAccuracy(sweep, "best_accuracy");
        assertEquals(2, c.getSeriesCollection().stream().filter(s -> s.isShowInLegend()).count(),
                "one series per variant (and an unlisted axis anchor)");
        assertArrayEquals(new double[] {0.7, 0.9}, c.getSeries("lora").getYData(), 0);
    }

    @Test
    void reportHtmlNamesAStop() {
        assertTrue(ReportHtml.render(report(StopReason.INTERRUPTED)).contains("interrupted: 4/4"));
    }

    @Test
    void thinningKeepsChartsSmallAndAveragesBuckets() {
        double[] ys = new double[3000];
        java.util.Arrays.fill(ys, 2.0);
        ys[0] = 5.0; // bucket 0 = steps 1..3
        var c = Charts.loss(ys, "l");
        double[] y = c.getSeries("train loss").getYData();
        assertEquals(1000, y.length);
        assertEquals(3.0, y[0], 1e-12);
    }

    static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void searchChartHasOneLinePerTrialThatHasAMetricAndMarksTheChosenOne() {
        Table t = Table.create("search", IntColumn.create("bracket", new int[] {0, 0, 0, 0, 0}),
                IntColumn.create("trial", new int[] {0, 1, 2, 0, 0}),
                tech.tablesaw.api.LongColumn.create("steps", new long[] {2, 2, 2, 4, 8}),
                tech.tablesaw.api.DoubleColumn.create("metric", new double[] {0.5, Double.NaN, 0.4, 0.6, 0.7}));
        var c = Charts.search(t, 0);
        assertEquals(2, c.getSeriesCollection().size(), "trial 1 diverged (NaN only): no line");
        assertEquals(3, c.getSeries("trial 0/0").getXData().length);
        assertTrue(c.getTitle().contains("chosen trial 0"), c.getTitle());
        assertTrue(ChartImages.png(c).length > 0);
    }
}
