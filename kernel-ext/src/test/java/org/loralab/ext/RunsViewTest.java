package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.loralab.ext.live.LiveSearchView;
import org.loralab.ext.live.LiveTrainingView;
import org.loralab.lora.search.SearchProgress;
import org.loralab.lora.search.Trial;
import org.loralab.lora.train.BatchEvent;

/** The search progress view on a fake clock: one display, throttled step updates, every trial start and the end. */
class RunsViewTest {
    private long now;

    private SearchProgress progress(int rung, int position, Trial t, long from, long to, long spent, Trial best) {
        return new SearchProgress(0, 1, rung, 2, position, 2, t, from, to, spent, 20, best, best == null ? Double.NaN
                : 0.75, best == null ? 0 : 5);
    }

    @Test
    void updatesOneDisplayThrottledAndAlwaysOnTrialStarts() {
        RecordingDisplay d = new RecordingDisplay();
        LiveSearchView v = new LiveSearchView(d, () -> now);
        Trial a = new Trial(0, 4, 8, 1e-3);
        Trial b = new Trial(1, 8, 16, 3e-3);
        v.onTrialStart(progress(0, 0, a, 0, 5, 0, null));
        for (int s = 1; s <= 5; s++) {
            now += (long) (LiveTrainingView.PROGRESS_SECONDS * 1e9 / 4); // four steps per throttle interval
            v.onBatch(new BatchEvent(s, 5, 1, 1, 1.0 / s, 0, 0, 1e-3));
        }
        v.onTrialStart(progress(0, 1, b, 0, 5, 5, a));
        assertEquals(1, d.count("show", "text/html"), "one display for the whole search");
        long updates = d.count("update", "text/html");
        assertTrue(updates >= 2 && updates <= 3, "throttled step updates plus the trial start: " + updates);
        String html = String.valueOf(d.last("d0"));
        assertTrue(html.contains("<progress value=\"5\" max=\"20\""), html);
        assertTrue(html.contains("rung 1/2, trial 2 of 2 (#1 r=8 alpha=16 lr=0.00300): steps 0 -&gt; 5")
                || html.contains("rung 1/2, trial 2 of 2 (#1 r=8 alpha=16 lr=0.00300): steps 0 -> 5"), html);
        assertTrue(html.contains("best so far: #0 r=4 alpha=8 lr=0.00100, metric 0.7500 at 5 steps"), html);
        assertEquals(List.of("d0"), d.events.stream().map(RecordingDisplay.Event::id).distinct().toList());
    }
}
