package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.loralab.ext.render.ChartImages;
import org.loralab.ext.render.Charts;
import org.loralab.ext.render.SeriesStyles;
import org.loralab.lora.analysis.Spectrum;
import org.loralab.lora.train.EpochStats;
import org.loralab.lora.train.StopReason;
import org.loralab.lora.train.TrainingReport;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Every chart rendered to a PNG (kernel-ext/target/charts/, to look at) and checked: tick labels that fit the width,
 * series that look different, the legend off the data, useful axis ranges.
 */
class ChartReadabilityTest {
    static final Path OUT = Path.of("target", "charts");

    /** Renders the chart (which lays out its axes) and writes it to target/charts/NAME.png. */
    static void render(XYChart c, String name) throws Exception {
        Files.createDirectories(OUT);
        Files.write(OUT.resolve(name + ".png"), ChartImages.png(c));
    }

    /** The tick labels XChart drew on an axis ("xAxis", or "yAxisMap" group {@code group}), non-empty ones only. */
    @SuppressWarnings("unchecked")
    static List<String> tickLabels(XYChart c, String axis, int group) throws Exception {
        Object pair = field(c, "axisPair");
        Object a = axis.equals("xAxis") ? field(pair, "xAxis") : ((Map<Integer, Object>) field(pair, "yAxisMap")).get(group);
        Object calc = field(a, "axisTickCalculator");
        List<String> labels = (List<String>) calc.getClass().getMethod("getTickLabels").invoke(calc);
        return labels.stream().filter(s -> s != null && !s.isBlank()).toList();
    }

    static Object field(Object o, String name) throws Exception {
        for (Class<?> k = o.getClass(); k != null; k = k.getSuperclass()) {
            try {
                Field f = k.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }

    static void assertDistinctLooks(XYChart c) {
        Set<String> looks = new HashSet<>();
        for (XYSeries s : c.getSeriesCollection()) {
            if (!s.isShowInLegend()) {
                continue; // an invisible axis anchor
            }
            String look = s.getLineColor() + "/" + s.getMarker().getClass().getSimpleName() + "/" + s.getLineStyle();
            assertTrue(looks.add(look), "two series look alike: " + s.getName() + " " + look);
        }
    }

    static TrainingReport report(int steps, int epochs) {
        double[] losses = new double[steps];
        for (int i = 0; i < steps; i++) {
            losses[i] = 1.4 * Math.exp(-i / (steps / 4.0)) + 0.05 * Math.sin(i);
        }
        List<EpochStats> stats = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            stats.add(new EpochStats(e, 1.0 / e, 0.5 + 0.4 * e / epochs, 0.9 / e, 0.45 + 0.4 * e / epochs, 1.0));
        }
        return new TrainingReport(stats, losses, steps, steps, steps * 64L, 2.0, 22, 46, -1, "n/a", "cpu()",
                StopReason.COMPLETED, null);
    }

    @Test
    void trainingChartHasFittingTicksAccuracyOnTheRightAndTheLegendOffTheData() throws Exception {
        for (int steps : new int[] {199, 256, 20_000}) {
            XYChart c = Charts.training(report(steps, 8));
            render(c, "training-" + steps);
            List<String> x = tickLabels(c, "xAxis", 0);
            assertTrue(x.size() >= 3 && x.size() <= SeriesStyles.maxXLabels(c.getWidth()), steps + ": " + x);
            int chars = x.stream().mapToInt(String::length).sum() + x.size();
            assertTrue(chars * 9 < c.getWidth() * 0.8, "labels cannot fit without running together: " + x);
            assertEquals(Styler.YAxisPosition.Right, c.getStyler().getYAxisGroupPosistion(1));
            assertTrue(c.getStyler().getLegendPosition().name().startsWith("Outside"));
            assertDistinctLooks(c);
            assertTrue(c.getSeries("train loss").getXData().length <= 1000, "the curve is thinned");
        }
    }

    @Test
    void spectrumShowsWOnTopDistinctAndCutsTheNoiseFloor() throws Exception {
        double[] w = new double[64];
        double[] dw = new double[64];
        double[] sum = new double[64];
        for (int i = 0; i < 64; i++) {
            w[i] = 3 * Math.exp(-i / 20.0);
            sum[i] = w[i] * (i < 4 ? 1.3 : 1.0000001);
            dw[i] = i < 4 ? 0.5 / (i + 1) : 1e-9 * Math.exp(-i / 10.0); // rank 4 plus float32 rounding noise
        }
        Map<String, Spectrum> spectra = new LinkedHashMap<>();
        spectra.put("W", new Spectrum(w, 1, true));
        spectra.put("dW", new Spectrum(dw, 1, true));
        spectra.put("W+dW", new Spectrum(sum, 1, true));
        XYChart c = Charts.spectrum("singular values: lin1", spectra);
        render(c, "spectrum");
        List<String> names = c.getSeriesCollection().stream().filter(XYSeries::isShowInLegend).map(XYSeries::getName)
                .toList();
        assertEquals("W", names.get(names.size() - 1), "W is drawn last, on top");
        assertDistinctLooks(c);
        assertNotEquals(c.getSeries("W").getLineStyle(), c.getSeries("W+dW").getLineStyle());
        double floor = Math.ulp(1.0f) * 3;
        for (XYSeries s : c.getSeriesCollection()) {
            if (!s.isShowInLegend()) {
                continue;
            }
            for (double y : s.getYData()) {
                assertTrue(y > floor, s.getName() + " plots " + y + ", under float32 eps x the largest value");
            }
        }
        assertEquals(4, c.getSeries("dW").getYData().length, "dW of rank 4 keeps its 4 real values");
        assertTrue(c.getStyler().isYAxisLogarithmic());
        List<String> y = tickLabels(c, "yAxisMap", 0);
        assertTrue(y.size() >= 2 && y.size() <= 12, "log axis labels " + y);
    }

    @Test
    void aSweepWhereEveryRankReachesOneHasAUsefulRange() throws Exception {
        Table t = Table.create("sweep", StringColumn.create("variant", "lora", "lora", "lora", "dora", "dora", "dora"),
                IntColumn.create("r", 1, 2, 4, 1, 2, 4), DoubleColumn.create("best_accuracy", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0));
        XYChart c = Charts.rankVsAccuracy(t, "best_accuracy");
        render(c, "sweep-flat");
        assertTrue(tickLabels(c, "yAxisMap", 0).size() >= 3, "a flat line with one tick: " + tickLabels(c, "yAxisMap", 0));
        assertTrue(c.getStyler().getYAxisMax() >= 1.0 && c.getStyler().getYAxisMin() < 1.0);
        assertTrue(c.getStyler().getYAxisMax() <= 1.0, "accuracy above 1 is no use");
        assertTrue(tickLabels(c, "xAxis", 0).size() >= 2, "ranks unlabelled: " + tickLabels(c, "xAxis", 0));
        for (String label : tickLabels(c, "xAxis", 0)) {
            assertTrue(label.matches("\\d+"), "ranks are integers: " + label);
        }
        assertDistinctLooks(c);
    }

    @Test
    void methodScatterGivesEachMethodItsOwnMarkerAndColourAndKeepsPointsApart() throws Exception {
        String[] methods = {"LoRA", "rsLoRA", "DoRA", "PiSSA", "OLoRA", "VeRA", "LoRA+", "LoRA-FA", "AdaLoRA", "LoHa",
            "LoKr", "DyLoRA", "SoRA", "MoRA", "QLoRA"};
        long[] params = {3076, 3076, 3124, 3076, 3076, 1100, 3076, 1540, 4620, 3076, 900, 3076, 3076, 3076, 3076};
        double[] acc = {0.81, 0.81, 0.82, 0.80, 0.81, 0.70, 0.83, 0.78, 0.79, 0.81, 0.74, 0.80, 0.81, 0.77, 0.80};
        Table t = Table.create("results", StringColumn.create("method", methods), LongColumn.create("trainable_params", params),
                DoubleColumn.create("accuracy", acc));
        XYChart c = Charts.methodScatter(t, "method", "trainable_params", "accuracy", "accuracy vs trainable parameters");
        render(c, "methods");
        assertEquals(methods.length, c.getSeriesCollection().size());
        assertDistinctLooks(c);
        Set<Double> xs = new HashSet<>();
        for (XYSeries s : c.getSeriesCollection()) {
            assertTrue(xs.add(s.getXData()[0]), "two methods drawn at the same x: " + s.getName());
        }
        assertEquals(Styler.LegendPosition.OutsideE, c.getStyler().getLegendPosition());
        assertTrue(tickLabels(c, "xAxis", 0).size() >= 3, "a log axis with " + tickLabels(c, "xAxis", 0));
    }
}
