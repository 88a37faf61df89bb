package org.loralab.ext.live;

import java.io.PrintStream;
import java.util.function.LongSupplier;
import org.loralab.ext.render.Html;

/**
 * Progress of many training runs in one updatable HTML block (a search's trials, a sweep's points): a bar over the
 * steps of all runs, the run in progress, the best result so far, and at the end a status line. Updates go at most
 * every {@link LiveTrainingView#PROGRESS_SECONDS}; a run's start and the finish always go. Without a display (outside
 * a kernel) each run's start and the finish are printed as lines instead.
 */
public final class RunsView {
    private final Display display;
    private final PrintStream out;
    private final Throttle throttle;
    private String id;
    private long planned = 1;
    private long before;
    private long current;
    private String running = "starting";
    private String best = "";
    private int updates;

    public RunsView(Display display, LongSupplier nanoClock) {
        this(display, System.out, nanoClock);
    }

    RunsView(Display display, PrintStream out, LongSupplier nanoClock) {
        this.display = display;
        this.out = out;
        this.throttle = new Throttle(LiveTrainingView.PROGRESS_SECONDS, nanoClock);
    }

    /** A new run begins: {@code stepsBefore} of the {@code plannedSteps} are done. */
    public void startRun(String what, long stepsBefore, long plannedSteps) {
        this.running = what;
        this.before = stepsBefore;
        this.current = stepsBefore;
        this.planned = Math.max(1, plannedSteps);
        if (display == null) {
            out.println(what);
            out.flush();
            return;
        }
        draw(null);
    }

    /** The run in progress has made {@code step} of its steps. */
    public void step(long step, String detail) {
        current = before + step;
        if (display != null && throttle.ready()) {
            draw(detail);
        }
    }

    public void best(String text) {
        this.best = text == null ? "" : text;
    }

    /** The final state, with {@code status} in bold. */
    public void finish(String status) {
        current = Math.min(current, planned);
        if (display == null) {
            out.println(status);
            out.flush();
            return;
        }
        draw(null, status);
    }

    private void draw(String detail) {
        draw(detail, null);
    }

    private void draw(String detail, String status) {
        StringBuilder b = new StringBuilder("<div class=\"loralab-progress\"><progress value=\"").append(current)
                .append("\" max=\"").append(planned).append("\" style=\"width:300px\"></progress> ")
                .append(current).append('/').append(planned).append(" steps<br>")
                .append(Html.escape(running));
        if (detail != null) {
            b.append(" &middot; ").append(Html.escape(detail));
        }
        if (!best.isEmpty()) {
            b.append("<br>").append(Html.escape(best));
        }
        if (status != null) {
            b.append("<br><b>").append(Html.escape(status)).append("</b>");
        }
        String html = b.append("</div>").toString();
        if (id == null) {
            id = display.show(html, "text/html");
        } else {
            display.update(id, html, "text/html");
        }
        updates++;
    }

    /** Displays shown or updated so far (tests). */
    public int updates() {
        return updates;
    }
}
