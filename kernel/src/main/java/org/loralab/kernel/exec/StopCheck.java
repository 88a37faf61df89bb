package org.loralab.kernel.exec;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stop flag that woven snippet code polls at every method entry and loop back-edge.
 * Only threads named by {@link #requestStop} are stopped, so a new cell is never hit by an old request. A plain
 * request fires once; a sticky one fires at every check until cleared (for a cell that catches the first one, e.g.
 * {@code while (true) { try { ... } catch (Throwable t) { } }}).
 */
public final class StopCheck {

    private static final Set<Thread> TARGETS = ConcurrentHashMap.newKeySet();
    private static final Set<Thread> STICKY = ConcurrentHashMap.newKeySet();
    private static volatile boolean anyPending;

    private StopCheck() {
    }

    /** Called by woven snippet bytecode; must stay public, static and argument-free. */
    public static void check() {
        if (anyPending) {
            Thread me = Thread.currentThread();
            if (STICKY.contains(me)) {
                throw new StopRequested();
            }
            if (TARGETS.remove(me)) {
                anyPending = !TARGETS.isEmpty() || !STICKY.isEmpty();
                throw new StopRequested();
            }
        }
    }

    static void requestStop(Thread thread, boolean sticky) {
        (sticky ? STICKY : TARGETS).add(thread);
        anyPending = true;
    }

    static void clear(Thread thread) {
        TARGETS.remove(thread);
        STICKY.remove(thread);
        anyPending = !TARGETS.isEmpty() || !STICKY.isEmpty();
    }

    /** Thrown into user code to unwind an interrupted cell; an Error so that {@code catch (Exception e)} lets it pass. */
    public static final class StopRequested extends Error {
        StopRequested() {
            super("cell interrupted", null, false, false);
        }
    }
}
