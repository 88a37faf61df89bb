package org.loralab.ext.live;

import java.io.PrintStream;
import org.loralab.ext.render.Html;

/**
 * Streams generated text into the cell's output: one HTML display, the prompt in grey and the continuation after it,
 * updated in place at most every {@link #UPDATE_SECONDS} while tokens arrive; {@link #finish} always writes the final
 * text and a status line (token count, tokens/s, why it stopped), which is what a saved notebook keeps. Without a
 * notebook display the new text is printed to stdout as it comes.
 */
public final class GenerationView {
    public static final double UPDATE_SECONDS = 0.1;

    private final Display display;
    private final PrintStream out;
    private final String prompt;
    private final Throttle throttle;
    private String id;
    private int printed;
    private int updates;

    public GenerationView(Display display, String prompt) {
        this(display, System.out, prompt, new Throttle(UPDATE_SECONDS));
    }

    /** {@code display} null: stream to {@code out}. */
    public GenerationView(Display display, PrintStream out, String prompt, Throttle throttle) {
        this.display = display;
        this.out = out;
        this.prompt = prompt;
        this.throttle = throttle;
    }

    /** The generated text so far (the whole continuation, decoded again each time so split characters heal). */
    public void update(String generated) {
        if (display == null) {
            print(generated);
            return;
        }
        if (id == null) {
            id = display.show(html(generated, null), "text/html");
            throttle.ready(); // starts the interval
            updates++;
        } else if (throttle.ready()) {
            display.update(id, html(generated, null), "text/html");
            updates++;
        }
    }

    /** The final text and a one-line status, e.g. "24 tokens, 81.3 tokens/s, stopped at EOS". */
    public void finish(String generated, String status) {
        if (display == null) {
            print(generated);
            out.println();
            out.println("[" + status + "]");
            out.flush();
            return;
        }
        if (id == null) {
            id = display.show(html(generated, status), "text/html");
        } else {
            display.update(id, html(generated, status), "text/html");
        }
        updates++;
    }

    private void print(String generated) {
        if (printed == 0) {
            out.print(prompt);
        }
        // a healed character can change text already printed; stdout cannot take it back, so only the new tail goes
        if (generated.length() > printed) {
            out.print(generated.substring(printed));
            printed = generated.length();
        }
        out.flush();
    }

    String html(String generated, String status) {
        StringBuilder b = new StringBuilder("<div class=\"loralab-generation\"><pre style=\"white-space:pre-wrap;")
                .append("margin:0\"><span style=\"color:#888\">").append(Html.escape(prompt)).append("</span>")
                .append(Html.escape(generated));
        if (status == null) {
            b.append("<span style=\"color:#888\">\u258c</span>");
        }
        b.append("</pre>");
        if (status != null) {
            b.append("<div style=\"color:#666;font-size:smaller\">").append(Html.escape(status)).append("</div>");
        }
        return b.append("</div>").toString();
    }

    /** Display updates sent so far (for tests). */
    public int updates() {
        return updates;
    }
}
