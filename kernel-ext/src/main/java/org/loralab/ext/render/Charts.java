package org.loralab.ext.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.loralab.lora.analysis.Spectrum;
import org.loralab.lora.train.EpochStats;
import org.loralab.lora.train.TrainingReport;
import tech.tablesaw.api.Table;
import tech.tablesaw.api.NumericColumn;

/** XChart charts for training, spectra, subspace similarity and sweeps; render with {@link ChartImages}. */
public final class Charts {
    static final int WIDTH = 640;
    static final int HEIGHT = 360;
    /** Line charts thin out to about this many points (a loss curve of 100k steps stays cheap to draw). */
    static final int MAX_POINTS = 1000;

    private Charts() {}

    private static XYChart xy(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setMarkerSize(4);
        return c;
    }

    /** Per-step training loss (thinned to {@link #MAX_POINTS}); empty-safe. */
    public static XYChart loss(double[] stepLosses, String title) {
        XYChart c = xy(title, "step", "loss");
        double[][] xy = thin(stepLosses);
        XYSeries s = c.addSeries("train loss", xy[0].length == 0 ? new double[] {0} : xy[0],
                xy[1].length == 0 ? new double[] {Double.NaN} : xy[1]);
        s.setMarker(SeriesMarkers.NONE);
        return c;
    }

    /** Loss per step, plus train/validation accuracy per epoch on a second y axis (NaN series left out). */
    public static XYChart training(TrainingReport r) {
        XYChart c = loss(r.stepLosses(), "training (" + r.stopReason().name().toLowerCase() + ")");
        List<EpochStats> epochs = r.epochs();
        if (!epochs.isEmpty() && r.stepsDone() > 0) {
            double stepsPerEpoch = (double) r.totalSteps() / Math.max(1, expectedEpochs(r));
            double[] x = new double[epochs.size()];
            double[] ta = new double[epochs.size()];
            double[] va = new double[epochs.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.min(r.stepsDone(), Math.round((i + 1) * stepsPerEpoch));
                ta[i] = epochs.get(i).trainAccuracy();
                va[i] = epochs.get(i).validationAccuracy();
            }
            if (!allNaN(ta)) {
                c.addSeries("train acc", x, ta).setYAxisGroup(1);
            }
            if (!allNaN(va)) {
                c.addSeries("val acc", x, va).setYAxisGroup(1);
            }
            if (!allNaN(ta) || !allNaN(va)) {
                c.setYAxisGroupTitle(1, "accuracy");
            }
        }
        return c;
    }

    private static int expectedEpochs(TrainingReport r) {
        return Math.max(r.epochs().size(), 1);
    }

    /** Singular values per matrix (e.g. "W", "dW", "W+dW"), log-scale y; zeros are left out of a log axis. */
    public static XYChart spectrum(String title, Map<String, Spectrum> spectra) {
        XYChart c = xy(title, "index", "singular value");
        c.getStyler().setYAxisLogarithmic(true);
        for (Map.Entry<String, Spectrum> e : spectra.entrySet()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            double[] v = e.getValue().values();
            for (int i = 0; i < v.length; i++) {
                if (v[i] > 0) {
                    xs.add(i + 1.0);
                    ys.add(v[i]);
                }
            }
            if (!xs.isEmpty()) {
                c.addSeries(e.getKey(), xs, ys).setMarker(SeriesMarkers.NONE);
            }
        }
        return c;
    }

    /** phi(i, j) of two adapters' subspaces as a heatmap (element [i-1][j-1]). */
    public static HeatMapChart subspaceHeatmap(String title, double[][] phi) {
        HeatMapChart c = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("i").yAxisTitle("j").build();
        List<Integer> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        List<Number[]> data = new ArrayList<>();
        for (int i = 0; i < phi.length; i++) {
            xs.add(i + 1);
        }
        for (int j = 0; j < (phi.length == 0 ? 0 : phi[0].length); j++) {
            ys.add(j + 1);
        }
        for (int i = 0; i < phi.length; i++) {
            for (int j = 0; j < phi[i].length; j++) {
                data.add(new Number[] {i, j, phi[i][j]});
            }
        }
        c.getStyler().setMin(0).setMax(1);
        c.addSeries("phi", xs, ys, data);
        return c;
    }

    /** A sweep table's accuracy against r, one line per variant (the table carries the parameter counts). */
    public static XYChart rankVsAccuracy(Table sweep, String accuracyColumn) {
        XYChart c = xy("rank vs " + accuracyColumn, "r", accuracyColumn);
        Map<String, List<double[]>> byVariant = new LinkedHashMap<>();
        NumericColumn<?> acc = sweep.numberColumn(accuracyColumn);
        NumericColumn<?> r = sweep.numberColumn("r");
        for (int i = 0; i < sweep.rowCount(); i++) {
            String v = sweep.stringColumn("variant").get(i);
            byVariant.computeIfAbsent(v, k -> new ArrayList<>()).add(new double[] {r.getDouble(i), acc.getDouble(i)});
        }
        for (Map.Entry<String, List<double[]>> e : byVariant.entrySet()) {
            // best accuracy per rank (several alphas/lrs may share an r)
            Map<Double, Double> best = new java.util.TreeMap<>();
            for (double[] p : e.getValue()) {
                best.merge(p[0], p[1], Math::max);
            }
            c.addSeries(e.getKey(), new ArrayList<>(best.keySet()), new ArrayList<>(best.values()));
        }
        return c;
    }

    /**
     * A search's trials: metric against the step budget (log x), one line per trial through the rungs it reached,
     * so eliminations show as lines that stop; {@code chosen} (a trial id, or -1) is drawn thick and named.
     */
    public static XYChart search(Table trials, int chosen) {
        XYChart c = xy("search: metric by step budget", "steps (log)", "metric");
        c.getStyler().setXAxisLogarithmic(true).setLegendVisible(false).setMarkerSize(5);
        Map<String, List<double[]>> byTrial = new LinkedHashMap<>();
        for (int i = 0; i < trials.rowCount(); i++) {
            String key = trials.intColumn("bracket").get(i) + "/" + trials.intColumn("trial").get(i);
            byTrial.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {
                    trials.longColumn("steps").get(i), trials.doubleColumn("metric").getDouble(i)});
        }
        String chosenKey = null;
        for (Map.Entry<String, List<double[]>> e : byTrial.entrySet()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (double[] p : e.getValue()) {
                if (!Double.isNaN(p[1])) {
                    x.add(p[0]);
                    y.add(p[1]);
                }
            }
            if (x.isEmpty()) {
                continue; // a diverged trial has no metric to draw
            }
            boolean isChosen = e.getKey().endsWith("/" + chosen);
            XYSeries s = c.addSeries("trial " + e.getKey(), x, y);
            if (isChosen) {
                chosenKey = e.getKey();
                s.setLineWidth(3f);
            } else {
                s.setLineWidth(1f);
            }
        }
        if (chosenKey != null) {
            c.setTitle("search: metric by step budget (thick: chosen trial " + chosen + ")");
        }
        return c;
    }

    static double[][] thin(double[] ys) {
        int n = ys.length;
        int stride = Math.max(1, (n + MAX_POINTS - 1) / MAX_POINTS);
        int m = (n + stride - 1) / stride;
        double[] x = new double[m];
        double[] y = new double[m];
        for (int k = 0; k < m; k++) {
            int from = k * stride;
            int to = Math.min(n, from + stride);
            double s = 0;
            for (int i = from; i < to; i++) {
                s += ys[i];
            }
            x[k] = to; // step number (1-based) of the last step in the bucket
            y[k] = s / (to - from);
        }
        return new double[][] {x, y};
    }

    private static boolean allNaN(double[] v) {
        for (double d : v) {
            if (!Double.isNaN(d)) {
                return false;
            }
        }
        return true;
    }
}
