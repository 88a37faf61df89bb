package org.loralab.ext.live;

import java.util.Locale;
import org.loralab.ext.render.Html;
import org.loralab.lora.train.BatchEvent;

/** The progress line (step, epoch, loss, examples/s, ETA) as text and as an HTML progress bar. */
public final class ProgressText {
    private ProgressText() {}

    public static String line(BatchEvent e) {
        return String.format(Locale.ROOT, "step %d/%d  epoch %d/%d  loss %.4f  %.1f ex/s  elapsed %s  ETA %s",
                e.step(), e.totalSteps(), e.epoch(), e.epochs(), e.loss(), e.examplesPerSecond(),
                clock(e.elapsedSeconds()), clock(e.etaSeconds()));
    }

    public static String html(BatchEvent e, String status) {
        StringBuilder b = new StringBuilder("<div class=\"loralab-progress\"><progress value=\"")
                .append(e == null ? 0 : e.step()).append("\" max=\"").append(e == null ? 1 : e.totalSteps())
                .append("\" style=\"width:300px\"></progress> ");
        b.append(Html.escape(e == null ? "starting" : line(e)));
        if (status != null) {
            b.append("<br><b>").append(Html.escape(status)).append("</b>");
        }
        return b.append("</div>").toString();
    }

    static String clock(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "--:--";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }
}
