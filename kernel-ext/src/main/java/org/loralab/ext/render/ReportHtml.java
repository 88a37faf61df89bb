package org.loralab.ext.render;

import java.util.Locale;
import org.loralab.lora.train.TrainingReport;

/** A training report as HTML: a status line, the per-epoch table and the loss/accuracy chart (inline PNG). */
public final class ReportHtml {
    private ReportHtml() {}

    public static String render(TrainingReport r) {
        StringBuilder b = new StringBuilder("<div class=\"loralab-report\"><p>");
        b.append(Html.escape(summary(r))).append("</p>");
        if (r.message() != null) {
            b.append("<p><b>").append(Html.escape(r.message())).append("</b></p>");
        }
        b.append(TableHtml.render(r.toTable()));
        if (r.stepsDone() > 0) {
            b.append(ChartImages.imgTag(Charts.training(r)));
        }
        return b.append("</div>").toString();
    }

    public static String summary(TrainingReport r) {
        String mem = r.peakMemoryBytes() < 0 ? "n/a"
                : String.format(Locale.ROOT, "%.1f MiB (%s)", r.peakMemoryBytes() / 1048576.0, r.peakMemorySource());
        return String.format(Locale.ROOT,
                "%s: %d/%d steps, %d epochs, %.2f s, %.1f examples/s, final accuracy %.4f, best %.4f, "
                        + "trainable %,d of %,d params, on %s, peak memory %s",
                r.stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' '), r.stepsDone(), r.totalSteps(),
                r.epochs().size(), r.wallSeconds(), r.examplesPerSecond(), r.finalAccuracy(), r.bestAccuracy(),
                r.trainableParams(), r.totalParams(), r.devices(), mem);
    }
}
