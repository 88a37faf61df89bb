package org.loralab.kernel.exec;

/**
 * Which cell a thread works for: set on the cell's worker thread and inherited by every thread created from it, so
 * output of a background thread goes to the cell that started it (never into a later cell's output).
 */
public final class CellThreads {

    private static final InheritableThreadLocal<Object> CELL = new InheritableThreadLocal<>();

    private CellThreads() {
    }

    /** The cell the current thread (or the thread that created it) ran for; null on kernel threads. */
    public static Object currentCell() {
        return CELL.get();
    }

    static void enter(Object cell) {
        CELL.set(cell);
    }

    static void leave() {
        CELL.remove();
    }
}
