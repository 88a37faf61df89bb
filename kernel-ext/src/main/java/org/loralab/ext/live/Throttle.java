package org.loralab.ext.live;

import java.util.function.LongSupplier;

/** Lets an action through at most once per interval (the first call always passes). */
public final class Throttle {
    private final long intervalNanos;
    private final LongSupplier clock;
    private long last;
    private boolean started;

    public Throttle(double minSeconds, LongSupplier nanoClock) {
        this.intervalNanos = (long) (minSeconds * 1e9);
        this.clock = nanoClock;
    }

    public Throttle(double minSeconds) {
        this(minSeconds, System::nanoTime);
    }

    /** True, and the interval restarts, when the interval has passed since the last pass. */
    public boolean ready() {
        long now = clock.getAsLong();
        if (!started || now - last >= intervalNanos) {
            started = true;
            last = now;
            return true;
        }
        return false;
    }
}
