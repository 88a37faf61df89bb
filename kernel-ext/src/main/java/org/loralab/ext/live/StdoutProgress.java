package org.loralab.ext.live;

import java.io.PrintStream;
import org.loralab.lora.train.BatchEvent;
import org.loralab.lora.train.FitListener;
import org.loralab.lora.train.StopReason;
import org.loralab.lora.train.TrainingReport;

/** Outside a kernel: the progress as one plain line on stdout, rewritten at most once a second, then ended. */
public final class StdoutProgress implements FitListener {
    private final PrintStream out;
    private final Throttle throttle;
    private boolean written;

    public StdoutProgress() {
        this(System.out, new Throttle(1.0));
    }

    public StdoutProgress(PrintStream out, Throttle throttle) {
        this.out = out;
        this.throttle = throttle;
    }

    @Override
    public void onWarning(String message) {
        out.println((written ? "\r" : "") + "warning: " + message);
        out.flush();
        written = false;
    }

    @Override
    public void onBatch(BatchEvent e) {
        if (throttle.ready()) {
            out.print("\r" + ProgressText.line(e));
            out.flush();
            written = true;
        }
    }

    @Override
    public void onEnd(TrainingReport report) {
        end("done: " + org.loralab.ext.render.ReportHtml.summary(report));
    }

    @Override
    public void onStopped(TrainingReport report) {
        end(report.stopReason() == StopReason.INTERRUPTED
                ? "interrupted at step " + report.stepsDone() + " of " + report.totalSteps()
                : report.message());
    }

    private void end(String status) {
        out.println((written ? "\r" : "") + status);
        out.flush();
    }
}
