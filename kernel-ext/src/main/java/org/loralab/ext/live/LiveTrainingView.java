package org.loralab.ext.live;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.function.LongSupplier;
import org.loralab.ext.render.ChartImages;
import org.loralab.ext.render.Charts;
import org.loralab.lora.train.BatchEvent;
import org.loralab.lora.train.EpochStats;
import org.loralab.lora.train.FitListener;
import org.loralab.lora.train.StopReason;
import org.loralab.lora.train.TrainingReport;

/**
 * The live training view: one updatable HTML progress bar and one updatable PNG loss chart. The bar updates at most
 * every {@link #PROGRESS_SECONDS}; the chart at most every {@link #CHART_SECONDS}, and after a draw that took t
 * seconds not before t / {@link #CHART_BUDGET} have passed, so drawing never takes more than that share of a run.
 * The chart thins the loss curve to a fixed number of points ({@code Charts.MAX_POINTS}), so each redraw costs about
 * the same at step 100 and at step 100,000 and the chart stays live for the whole run. The end (or a stop) always
 * writes the final state, which is what an executed notebook keeps.
 */
public final class LiveTrainingView implements FitListener {
    public static final double PROGRESS_SECONDS = 0.34;
    public static final double CHART_SECONDS = PROGRESS_SECONDS;
    public static final double CHART_BUDGET = 0.25;

    private final Display display;
    private final LongSupplier clock;
    private final Throttle progress;
    private double[] losses = new double[256];
    private int count;
    private String barId;
    private String chartId;
    private BatchEvent last;
    private long lastChartAt;
    private long chartNanos;
    private int chartUpdates;
    private int barUpdates;

    public LiveTrainingView(Display display) {
        this(display, System::nanoTime);
    }

    public LiveTrainingView(Display display, LongSupplier nanoClock) {
        this.display = display;
        this.clock = nanoClock;
        this.progress = new Throttle(PROGRESS_SECONDS, nanoClock);
    }

    /** The view in a notebook kernel, else the one-line stdout progress. */
    public static FitListener forCurrentKernel() {
        return NotebookDisplay.available() ? new LiveTrainingView(new NotebookDisplay()) : new StdoutProgress();
    }

    /** A warning about the planned run (e.g. AdaLoRA's total_step), shown once above the progress bar. */
    @Override
    public void onWarning(String message) {
        display.show("<div style=\"color:#9a6700\">warning: " + org.loralab.ext.render.Html.escape(message) + "</div>",
                "text/html");
    }

    @Override
    public void onBatch(BatchEvent e) {
        last = e;
        if (count == losses.length) {
            losses = Arrays.copyOf(losses, count * 2);
        }
        losses[count++] = e.loss();
        if (barId == null) {
            // the chart display is created at its first draw (after CHART_SECONDS, or at the end)
            barId = display.show(ProgressText.html(e, null), "text/html");
            lastChartAt = clock.getAsLong();
            barUpdates++;
            return;
        }
        if (progress.ready()) {
            display.update(barId, ProgressText.html(e, null), "text/html");
            barUpdates++;
        }
        maybeChart();
    }

    @Override
    public void onEpoch(EpochStats stats, BatchEvent lastEvent) {
        maybeChart();
    }

    @Override
    public void onEnd(TrainingReport report) {
        finish(report, "done: " + org.loralab.ext.render.ReportHtml.summary(report));
    }

    @Override
    public void onStopped(TrainingReport report) {
        String status = report.stopReason() == StopReason.INTERRUPTED
                ? "interrupted at step " + report.stepsDone() + " of " + report.totalSteps()
                : report.message();
        finish(report, status);
    }

    private void finish(TrainingReport report, String status) {
        if (barId == null) {
            barId = display.show(ProgressText.html(last, status), "text/html");
        } else {
            display.update(barId, ProgressText.html(last, status), "text/html");
        }
        barUpdates++;
        // the loss curve of every step; the report (the cell's value) adds the accuracies and the epoch table
        BufferedImage img = chart();
        if (chartId == null) {
            chartId = display.show(img, "image/png");
        } else {
            display.update(chartId, img, "image/png");
        }
        chartUpdates++;
    }

    private void maybeChart() {
        long now = clock.getAsLong();
        long since = now - lastChartAt;
        if (since < CHART_SECONDS * 1e9 || chartNanos > CHART_BUDGET * since || last == null) {
            return;
        }
        long t0 = clock.getAsLong();
        if (chartId == null) {
            chartId = display.show(chart(), "image/png");
        } else {
            display.update(chartId, chart(), "image/png");
        }
        long t1 = clock.getAsLong();
        chartNanos = t1 - t0;
        lastChartAt = t1;
        chartUpdates++;
    }

    private BufferedImage chart() {
        String title = last == null ? "training loss"
                : "training loss (step " + last.step() + " of " + last.totalSteps() + ")";
        return ChartImages.image(Charts.loss(Arrays.copyOf(losses, count), title));
    }

    /** Progress-bar and chart updates sent so far (for tests and benchmarks). */
    public int barUpdates() {
        return barUpdates;
    }

    public int chartUpdates() {
        return chartUpdates;
    }
}
