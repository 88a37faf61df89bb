package org.loralab.ext.live;

import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.loralab.lora.train.BatchEvent;
import org.loralab.lora.train.FitListener;
import org.loralab.lora.train.StopReason;
import org.loralab.lora.train.Sweep;
import org.loralab.lora.train.TrainingReport;

/**
 * A sweep's live progress (as a fit listener shared by every point): which point of the grid trains, its steps and
 * loss, the best accuracy so far, and a summary at the end.
 */
public final class LiveSweepView implements FitListener {
    private final RunsView view;
    private final List<Sweep.Point> grid;
    private int point = -1;
    private boolean inRun;
    private long stepsPerPoint;
    private double bestAccuracy = Double.NaN;

    public LiveSweepView(Display display, List<Sweep.Point> grid) {
        this(display, grid, System::nanoTime);
    }

    public LiveSweepView(Display display, List<Sweep.Point> grid, LongSupplier nanoClock) {
        this.view = new RunsView(display, nanoClock);
        this.grid = List.copyOf(grid);
    }

    @Override
    public void onBatch(BatchEvent e) {
        if (!inRun) {
            inRun = true;
            point++;
            stepsPerPoint = e.totalSteps();
            Sweep.Point p = grid.get(Math.min(point, grid.size() - 1));
            view.startRun(String.format(Locale.ROOT, "point %d of %d: %s r=%d alpha=%s lr=%.3g", point + 1,
                    grid.size(), p.variant(), p.r(), trimmed(p.alpha()), p.lr()),
                    (long) point * stepsPerPoint, grid.size() * stepsPerPoint);
        }
        view.step(e.step(), String.format(Locale.ROOT, "step %d/%d loss %.4f", e.step(), e.totalSteps(), e.loss()));
    }

    @Override
    public void onEnd(TrainingReport report) {
        ended(report);
    }

    @Override
    public void onStopped(TrainingReport report) {
        ended(report);
        if (report.stopReason() == StopReason.INTERRUPTED) {
            view.finish("interrupted at point " + (point + 1) + " of " + grid.size());
        }
    }

    private void ended(TrainingReport report) {
        if (!inRun) {
            point++; // a point that stopped before its first step
        }
        inRun = false;
        double acc = report.finalAccuracy();
        if (!Double.isNaN(acc) && (Double.isNaN(bestAccuracy) || acc > bestAccuracy)) {
            bestAccuracy = acc;
            Sweep.Point p = grid.get(Math.min(point, grid.size() - 1));
            view.best(String.format(Locale.ROOT, "best so far: %s r=%d alpha=%s lr=%.3g, accuracy %.4f", p.variant(),
                    p.r(), trimmed(p.alpha()), p.lr(), acc));
        }
        if (point == grid.size() - 1 && report.stopReason() != StopReason.INTERRUPTED) {
            view.finish(String.format(Locale.ROOT, "done: %d points", grid.size()));
        }
    }

    public int updates() {
        return view.updates();
    }

    private static String trimmed(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
