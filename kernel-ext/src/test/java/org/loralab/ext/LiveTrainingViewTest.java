package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.loralab.ext.live.LiveTrainingView;
import org.loralab.ext.live.StdoutProgress;
import org.loralab.ext.live.Throttle;
import org.loralab.lora.train.BatchEvent;
import org.loralab.lora.train.StopReason;

class LiveTrainingViewTest {

    @Test
    void throttlePassesAtMostOncePerInterval() {
        AtomicLong now = new AtomicLong();
        Throttle t = new Throttle(0.5, now::get);
        assertTrue(t.ready());
        now.set(400_000_000L);
        assertFalse(t.ready());
        now.set(500_000_000L);
        assertTrue(t.ready());
        assertFalse(t.ready());
    }

    @Test
    void warningsAreShownOnceBeforeTheBarAndPrintedOnStdout() {
        RecordingDisplay d = new RecordingDisplay();
        LiveTrainingView view = new LiveTrainingView(d, new AtomicLong()::get);
        view.onWarning("AdaLoRA adapter 'default': total_step=10 but this fit runs 4 steps <x>");
        view.onBatch(event(1, 0.1));
        assertEquals(2, d.count("show", "text/html"));
        String w = String.valueOf(d.last("d0"));
        assertTrue(w.contains("warning: AdaLoRA adapter &#39;default&#39;: total_step=10") && w.contains("&lt;x&gt;"), w);
        assertTrue(String.valueOf(d.last("d1")).contains("step 1/1000"), "the bar is its own display");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StdoutProgress p = new StdoutProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), new Throttle(1.0));
        p.onWarning("total_step differs");
        assertEquals("warning: total_step differs" + System.lineSeparator(), buf.toString(StandardCharsets.UTF_8));
    }

    private static BatchEvent event(long step, double seconds) {
        return new BatchEvent(step, 1000, 1, 1, 1.0 / step, seconds, step * 32 / Math.max(seconds, 1e-9), 1e-3);
    }

    @Test
    void progressIsThrottledToAboutThreeUpdatesPerSecondAndEndsInTheFinalState() {
        AtomicLong now = new AtomicLong();
        RecordingDisplay d = new RecordingDisplay();
        LiveTrainingView view = new LiveTrainingView(d, now::get);
        // 1000 batches over 10 simulated seconds
        for (int s = 1; s <= 1000; s++) {
            now.set(s * 10_000_000L);
            view.onBatch(event(s, s / 100.0));
        }
        assertEquals(1, d.count("show", "text/html"));
        assertEquals(1, d.count("show", "image/png"));
        long barUpdates = d.count("update", "text/html");
        assertTrue(barUpdates >= 25 && barUpdates <= 10 / LiveTrainingView.PROGRESS_SECONDS + 1,
                "bar updates " + barUpdates);
        long chartUpdates = d.count("update", "image/png");
        assertTrue(chartUpdates >= 1 && chartUpdates <= 10 / LiveTrainingView.CHART_SECONDS,
                "chart updates " + chartUpdates);
        view.onEnd(RenderTest.report(StopReason.COMPLETED));
        String bar = String.valueOf(d.last("d0"));
        assertTrue(bar.contains("step 1000/1000"), bar);
        assertTrue(bar.contains("done: completed"), bar);
        assertTrue(d.last("d1") instanceof java.awt.image.BufferedImage);
    }

    @Test
    void aShortRunDrawsOneChartAtTheEnd() {
        RecordingDisplay d = new RecordingDisplay();
        LiveTrainingView view = new LiveTrainingView(d);
        view.onBatch(event(1, 0.01));
        view.onBatch(event(2, 0.02));
        assertEquals(0, d.count("show", "image/png"));
        view.onEnd(RenderTest.report(StopReason.COMPLETED));
        assertEquals(1, d.count("show", "image/png"));
        assertEquals(0, d.count("update", "image/png"));
    }

    @Test
    void aStopIsShownAsInterruptedAtStepK() {
        RecordingDisplay d = new RecordingDisplay();
        LiveTrainingView view = new LiveTrainingView(d);
        view.onBatch(event(1, 0.1));
        view.onBatch(event(2, 0.2));
        var stopped = RenderTest.report(StopReason.INTERRUPTED);
        view.onStopped(stopped);
        assertTrue(String.valueOf(d.last("d0")).contains("interrupted at step 4 of 4"));
    }

    @Test
    void outsideAKernelProgressIsOnePlainLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        AtomicLong now = new AtomicLong();
        StdoutProgress p = new StdoutProgress(out, new Throttle(1.0, now::get));
        for (int s = 1; s <= 100; s++) {
            now.set(s * 50_000_000L); // 5 s in all
            p.onBatch(event(s, s * 0.05));
        }
        p.onEnd(RenderTest.report(StopReason.COMPLETED));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.split("\n", -1).length - 1, "exactly one newline: " + text);
        long redraws = text.chars().filter(c -> c == '\r').count();
        assertTrue(redraws >= 5 && redraws <= 7, "redraws " + redraws);
        assertTrue(text.strip().endsWith("peak memory n/a"), text);
        assertTrue(List.of(text.split("\r")).get(1).startsWith("step 1/1000"));
    }
}
