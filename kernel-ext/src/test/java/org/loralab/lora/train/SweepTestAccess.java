package org.loralab.lora.train;

import java.util.List;
import tech.tablesaw.api.Table;

/** Builds a sweep table without training (for renderer tests). */
public final class SweepTestAccess {
    private SweepTestAccess() {}

    public static Table table() {
        Table t = Sweep.emptyTable();
        Sweep.addRow(t, new Sweep.Point("lora", 2, 4, 1e-3), report(0.6));
        Sweep.addRow(t, new Sweep.Point("lora", 2, 8, 1e-3), report(0.7));
        Sweep.addRow(t, new Sweep.Point("lora", 4, 8, 1e-3), report(0.9));
        Sweep.addRow(t, new Sweep.Point("dora", 2, 8, 1e-3), report(0.8));
        return t;
    }

    private static TrainingReport report(double acc) {
        return new TrainingReport(List.of(new EpochStats(1, 1, acc, 1, acc, 1)), new double[] {1}, 1, 1, 10, 1, 10,
                100, -1, "", "cpu()", StopReason.COMPLETED, null);
    }
}
