package org.loralab.lora.train;

import java.util.List;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * What a fit did: per-epoch loss/accuracy, per-step losses, timing, trainable parameters, how it ended.
 *
 * @param peakMemoryBytes peak memory where measurable (GPU used memory, or the process's peak RSS on Linux), else -1
 * @param peakMemorySource what {@code peakMemoryBytes} measures
 */
public record TrainingReport(
        List<EpochStats> epochs,
        double[] stepLosses,
        long stepsDone,
        long totalSteps,
        long examplesSeen,
        double wallSeconds,
        long trainableParams,
        long totalParams,
        long peakMemoryBytes,
        String peakMemorySource,
        String devices,
        StopReason stopReason,
        String message) {

    public TrainingReport {
        epochs = List.copyOf(epochs);
    }

    public double examplesPerSecond() {
        return wallSeconds > 0 ? examplesSeen / wallSeconds : Double.NaN;
    }

    public boolean stoppedEarly() {
        return stopReason != StopReason.COMPLETED;
    }

    /** Validation accuracy of the last epoch (train accuracy without a validation set); NaN if none. */
    public double finalAccuracy() {
        if (epochs.isEmpty()) {
            return Double.NaN;
        }
        EpochStats last = epochs.get(epochs.size() - 1);
        return Double.isNaN(last.validationAccuracy()) ? last.trainAccuracy() : last.validationAccuracy();
    }

    /** Best per-epoch accuracy (validation if present, else train); NaN if none. */
    public double bestAccuracy() {
        double best = Double.NaN;
        for (EpochStats e : epochs) {
            double a = Double.isNaN(e.validationAccuracy()) ? e.trainAccuracy() : e.validationAccuracy();
            if (!Double.isNaN(a) && (Double.isNaN(best) || a > best)) {
                best = a;
            }
        }
        return best;
    }

    /** One row per epoch: epoch, train_loss, train_acc, val_loss, val_acc, seconds. */
    public Table toTable() {
        IntColumn epoch = IntColumn.create("epoch");
        DoubleColumn tl = DoubleColumn.create("train_loss");
        DoubleColumn ta = DoubleColumn.create("train_acc");
        DoubleColumn vl = DoubleColumn.create("val_loss");
        DoubleColumn va = DoubleColumn.create("val_acc");
        DoubleColumn s = DoubleColumn.create("seconds");
        for (EpochStats e : epochs) {
            epoch.append(e.epoch());
            tl.append(e.trainLoss());
            ta.append(e.trainAccuracy());
            vl.append(e.validationLoss());
            va.append(e.validationAccuracy());
            s.append(e.seconds());
        }
        return Table.create("training", epoch, tl, ta, vl, va, s);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "TrainingReport[%s after %d/%d steps, %d epochs, final acc %.4f, %.1f ex/s, %.2f s, trainable %d of %d%s]",
                stopReason, stepsDone, totalSteps, epochs.size(), finalAccuracy(), examplesPerSecond(), wallSeconds,
                trainableParams, totalParams, message == null ? "" : ", " + message);
    }
}
