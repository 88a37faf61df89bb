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

    /** The float32 machine epsilon: singular values below it times the largest are rounding noise. */
    static final double FLOAT32_EPS = Math.ulp(1.0f);

    private static XYChart xy(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        SeriesStyles.axes(c);
        c.getStyler().setMarkerSize(6);
        return c;
    }

    /** Per-step training loss (thinned to {@link #MAX_POINTS}); empty-safe. */
    public static XYChart loss(double[] stepLosses, String title) {
        XYChart c = xy(title, "step", "loss");
        double[][] xy = thin(stepLosses);
        XYSeries s = c.addSeries("train loss", xy[0].length == 0 ? new double[] {0} : xy[0],
                xy[1].length == 0 ? new double[] {Double.NaN} : xy[1]);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(SeriesStyles.color(0));
        if (xy[0].length > 1) {
            // x from 0 to half a step past the end
            SeriesStyles.roundTicks(c, new double[] {0, xy[0][xy[0].length - 1] + 0.5}, new double[] {xy[1][0], xy[1][0]});
        }
        c.getStyler().setXAxisDecimalPattern("#,###");
        c.getStyler().setLegendVisible(false);
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
            // accuracy on its own axis on the right, the legend below the plot
            if (!allNaN(ta)) {
                SeriesStyles.apply(c.addSeries("train acc", x, ta), 1).setYAxisGroup(1);
            }
            if (!allNaN(va)) {
                SeriesStyles.apply(c.addSeries("val acc", x, va), 2).setYAxisGroup(1);
            }
            if (!allNaN(ta) || !allNaN(va)) {
                c.setYAxisGroupTitle(1, "accuracy");
                c.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
                c.getStyler().setLegendVisible(true);
                c.setYAxisGroupTitle(0, "loss");
            }
        }
        return c;
    }

    private static int expectedEpochs(TrainingReport r) {
        return Math.max(r.epochs().size(), 1);
    }

    /**
     * Singular values per matrix (e.g. "W", "dW", "W+dW") on a log axis. Values under the float32 epsilon times the
     * largest value of all are rounding noise and are cut (a rank-r dW has no more than r real ones). "W" is drawn
     * last, dashed with open markers, so it stays visible where W+dW lies on it.
     */
    public static XYChart spectrum(String title, Map<String, Spectrum> spectra) {
        XYChart c = xy(title, "index", "singular value (log)");
        c.getStyler().setYAxisLogarithmic(true).setXAxisDecimalPattern("#");
        double largest = 0;
        for (Spectrum s : spectra.values()) {
            for (double v : s.values()) {
                largest = Math.max(largest, v);
            }
        }
        double floor = FLOAT32_EPS * largest;
        double smallest = largest;
        for (Spectrum sp : spectra.values()) {
            for (double v : sp.values()) {
                smallest = v > floor ? Math.min(smallest, v) : smallest;
            }
        }
        // within two decades, ticks between the powers of ten; across more, the powers alone (they would overlap)
        c.getStyler().setYAxisLogarithmicDecadeOnly(largest / smallest > 100);
        List<String> order = new ArrayList<>(spectra.keySet());
        if (order.remove("W")) {
            order.add("W");
        }
        for (String name : order) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            double[] v = spectra.get(name).values();
            for (int i = 0; i < v.length; i++) {
                if (v[i] > floor) {
                    xs.add(i + 1.0);
                    ys.add(v[i]);
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            int i = List.copyOf(spectra.keySet()).indexOf(name);
            XYSeries s = SeriesStyles.apply(c.addSeries(name, xs, ys), i);
            if (name.equals("W")) {
                s.setLineStyle(SeriesStyles.DASHED);
                s.setLineColor(java.awt.Color.BLACK);
                s.setMarkerColor(java.awt.Color.BLACK);
                s.setMarker(SeriesMarkers.CIRCLE);
            } else {
                s.setLineWidth(name.contains("+") ? 4f : 2f);
            }
            if (xs.size() > 40) {
                s.setMarker(name.equals("W") ? SeriesMarkers.NONE : s.getMarker());
            }
        }
        int longest = 0;
        for (Spectrum sp : spectra.values()) {
            longest = Math.max(longest, sp.values().length);
        }
        if (longest > 1) {
            SeriesStyles.roundTicks(c, new double[] {0.5, longest + 0.5}, new double[] {largest, largest});
        }
        c.setTitle(title + " (values < float32 eps x max cut)");
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
        int i = 0;
        for (Map.Entry<String, List<double[]>> e : byVariant.entrySet()) {
            // best accuracy per rank (several alphas/lrs may share an r)
            Map<Double, Double> best = new java.util.TreeMap<>();
            for (double[] p : e.getValue()) {
                best.merge(p[0], p[1], Math::max);
            }
            SeriesStyles.apply(c.addSeries(e.getKey(), new ArrayList<>(best.keySet()),
                    new ArrayList<>(best.values())), i++);
        }
        // ranks are integers: label only those; pad both axes so points and a flat line sit inside the plot
        c.getStyler().setXAxisDecimalPattern("#"); // XChart then keeps ticks whose labels differ: whole ranks
        double[] ry = AxisRange.padded(acc, 0.1, 0, 1);
        c.getStyler().setYAxisMin(ry[0]).setYAxisMax(ry[1]);
        double[] rx = AxisRange.padded(r, 0.5, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        c.getStyler().setXAxisMin(rx[0]).setXAxisMax(rx[1]);
        SeriesStyles.roundTicks(c, new double[] {rx[0], rx[0] + 0.3, rx[1]},
                new double[] {ry[0], ry[0] + 0.37 * (ry[1] - ry[0]), ry[1]});
        return c;
    }

    /**
     * One point per row of {@code table}: column {@code y} against column {@code x} on a log x axis, each row its own
     * series named by column {@code label} (distinct colour and marker, legend beside the plot). Rows that share an x
     * (methods with the same parameter count) are spread sideways by a few percent so no point hides another.
     */
    public static XYChart methodScatter(Table table, String label, String x, String y, String title) {
        XYChart c = new XYChartBuilder().width(WIDTH + 160).height(HEIGHT + 60).title(title)
                .xAxisTitle(x + " (log; equal values spread sideways)").yAxisTitle(y).build();
        SeriesStyles.axes(c);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter).setXAxisLogarithmic(true)
                .setXAxisLogarithmicDecadeOnly(false).setMarkerSize(11).setLegendPosition(Styler.LegendPosition.OutsideE)
                .setLegendLayout(Styler.LegendLayout.Vertical);
        NumericColumn<?> xs = table.numberColumn(x);
        NumericColumn<?> ys = table.numberColumn(y);
        Map<Double, List<Integer>> sameX = new java.util.TreeMap<>();
        for (int i = 0; i < table.rowCount(); i++) {
            sameX.computeIfAbsent(xs.getDouble(i), k -> new ArrayList<>()).add(i);
        }
        double[] shown = new double[table.rowCount()];
        for (Map.Entry<Double, List<Integer>> e : sameX.entrySet()) {
            List<Integer> rows = e.getValue();
            rows.sort(java.util.Comparator.comparingDouble(ys::getDouble));
            for (int k = 0; k < rows.size(); k++) {
                shown[rows.get(k)] = e.getKey() * Math.pow(1.06, k - (rows.size() - 1) / 2.0);
            }
        }
        for (int i = 0; i < table.rowCount(); i++) {
            String name = table.column(label).getString(i);
            SeriesStyles.apply(c.addSeries(name, new double[] {shown[i]}, new double[] {ys.getDouble(i)}), i);
        }
        double[] ry = AxisRange.padded(ys, 0.02, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        c.getStyler().setYAxisMin(ry[0]).setYAxisMax(ry[1]);
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
