package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.loralab.ext.live.Display;
import org.loralab.ext.live.LiveTrainingView;
import org.loralab.lora.train.BatchEvent;

/** The live loss chart redraws about three times a second for the whole run, short or long. */
class LiveChartCadenceTest {

    /** A display on a fake clock: sending a chart costs {@code drawNanos} of it, as drawing and sending a PNG do. */
    static final class TimedDisplay implements Display {
        final AtomicLong clock;
        final long drawNanos;
        final List<Long> chartTimes = new ArrayList<>();
        private int next;

        TimedDisplay(AtomicLong clock, long drawNanos) {
            this.clock = clock;
            this.drawNanos = drawNanos;
        }

        @Override
        public String show(Object value, String mime) {
            sent(mime);
            return "d" + next++;
        }

        @Override
        public void update(String id, Object value, String mime) {
            sent(mime);
        }

        private void sent(String mime) {
            if (mime.equals("image/png")) {
                clock.addAndGet(drawNanos);
                chartTimes.add(clock.get());
            }
        }
    }

    @ParameterizedTest(name = "{0} steps in {1} s")
    @CsvSource({"256, 2.5", "5000, 20", "20000, 40"})
    void theChartRedrawsAboutThreeTimesASecondUntilTheEnd(int steps, double seconds) {
        AtomicLong now = new AtomicLong();
        TimedDisplay d = new TimedDisplay(now, 60_000_000L); // 60 ms per chart
        LiveTrainingView view = new LiveTrainingView(d, now::get);
        long stepNanos = (long) (seconds * 1e9 / steps);
        for (int s = 1; s <= steps; s++) {
            now.addAndGet(stepNanos);
            view.onBatch(new BatchEvent(s, steps, 1, 1, 1.0 / s, now.get() / 1e9, 32 * s / (now.get() / 1e9), 1e-3));
        }
        double wall = now.get() / 1e9;
        List<Long> t = d.chartTimes;
        double interval = LiveTrainingView.CHART_SECONDS;
        assertTrue(interval <= 0.5, "the README promises about three redraws a second");
        assertTrue(t.size() >= 0.7 * wall / interval, t.size() + " charts in " + wall + " s");
        assertTrue(t.size() <= wall / interval + 1, t.size() + " charts in " + wall + " s");
        for (int i = 1; i < t.size(); i++) {
            assertTrue(t.get(i) - t.get(i - 1) >= interval * 1e9, "two charts " + (t.get(i) - t.get(i - 1)) + " ns apart");
        }
        assertTrue(wall - t.get(t.size() - 1) / 1e9 < 1.0, "the last live chart came " + (wall - t.get(t.size() - 1) / 1e9)
                + " s before the end: the chart stopped being live");
        // drawing takes a bounded share of the run
        assertTrue(t.size() * d.drawNanos / 1e9 <= LiveTrainingView.CHART_BUDGET * wall + 0.1);
    }
}
