package org.loralab.lora.train;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The lr multipliers per step (transformers' schedules with warm-up). */
class ScheduleTest {
    @Test
    void linearWarmsUpThenDecaysToZeroAtTheEnd() {
        Schedule s = Schedule.parse("linear", 2);
        // get_linear_schedule_with_warmup(warmup=2, total=10): step/2, then (10 - step)/8
        double[] want = {0.0, 0.5, 1.0, 7 / 8.0, 6 / 8.0, 5 / 8.0, 4 / 8.0, 3 / 8.0, 2 / 8.0, 1 / 8.0, 0.0};
        for (int step = 0; step <= 10; step++) {
            assertEquals(want[step], s.factor(step, 10), 1e-12, "step " + step);
        }
        Schedule noWarmup = Schedule.parse("linear", 0);
        assertEquals(1.0, noWarmup.factor(0, 4), 1e-12);
        assertEquals(0.25, noWarmup.factor(3, 4), 1e-12);
        assertEquals(0.0, noWarmup.factor(7, 4), 0.0, "never negative past the end");
    }

    @Test
    void cosineAndConstantAndBadNames() {
        Schedule c = Schedule.parse("cosine", 2);
        assertEquals(0.5, c.factor(1, 10), 1e-12);
        assertEquals(1.0, c.factor(2, 10), 1e-12);
        assertEquals(0.5, c.factor(6, 10), 1e-12, "half way through the decay");
        assertEquals(1.0, Schedule.parse("constant", 5).factor(0, 10), 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedule.parse("step", 0));
        assertTrue(e.getMessage().contains("linear"), e.getMessage());
        assertEquals("linear", FitOptions.defaults().schedule("linear").scheduleName());
    }
}
