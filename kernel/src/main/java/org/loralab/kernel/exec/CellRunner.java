package org.loralab.kernel.exec;

import java.lang.reflect.InvocationTargetException;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a cell's work (snippets and magics) on daemon worker threads and stops it on interrupt. Only these workers are
 * ever interrupted: they never use a ZMQ socket (IOPub and stdin go through kernel-owned threads). An interrupt
 * sets the woven stop flag and {@link Thread#interrupt()}s the worker; a cell that swallows it is hit at every check
 * after {@link #STICKY_AFTER_MS}; one still running after {@link #GIVE_UP_AFTER_MS} is reported and left behind.
 */
public final class CellRunner {

    static final String WORKER_PREFIX = "loralab-cell-";
    public static final long STICKY_AFTER_MS = 1000;
    public static final long GIVE_UP_AFTER_MS = 3000;
    /** An interrupt that arrives while idle counts for a cell that starts this soon after (request race). */
    static final long EARLY_INTERRUPT_WINDOW_MS = 250;
    private static final long POLL_MS = 20;
    private static final long REINTERRUPT_MS = 200;

    /** How the work ended when it did not return or throw by itself. */
    public enum Stop { INTERRUPTED, TIMED_OUT, DID_NOT_STOP }

    /** The work was stopped (or abandoned); the message says what the user sees. */
    public static final class Stopped extends RuntimeException {
        public final Stop kind;

        Stopped(Stop kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }
    }

    /** The work threw; {@link #getCause()} is what it threw (reflection wrappers removed). */
    public static final class Failed extends RuntimeException {
        Failed(Throwable cause) {
            super(cause.getClass().getName(), cause, false, false); // never cause.toString(): user code may throw there
        }
    }

    /** Set on a thread doing the kernel's own evaluation (start-up imports): cells' interrupts never touch it. */
    private static final ThreadLocal<Boolean> KERNEL_WORK = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final ExecutorService workers;
    private final Set<Task> running = ConcurrentHashMap.newKeySet();
    private volatile boolean cellActive;
    private volatile boolean interruptPending;
    private volatile long idleInterruptAt = Long.MIN_VALUE;
    private volatile Object cell;
    private volatile Runnable onOutOfMemory = () -> { };
    /** Dropped the moment a cell runs out of memory, so that the kernel can answer before the cell's memory is freed. */
    private volatile byte[] reserve = new byte[RESERVE_BYTES];
    private static final int RESERVE_BYTES = 8 << 20;

    public CellRunner(ClassLoader contextLoader) {
        AtomicInteger counter = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, WORKER_PREFIX + counter.incrementAndGet());
            t.setDaemon(true);
            t.setContextClassLoader(contextLoader);
            return t;
        });
        HeapGuard.install(this::heapExhausted);
    }

    /** The heap stays nearly full after a collection: stop the running cell as out of memory (at its next check). */
    private void heapExhausted() {
        for (Task t : running) {
            if (!t.stopping) {
                t.outOfMemoryStop = true;
                reserve = null;
                t.stop(true);
            }
        }
    }

    /** Called before the cell's memory-holding state is converted to an error (the evaluator frees the cell's vars). */
    public void onOutOfMemory(Runnable action) {
        this.onOutOfMemory = action;
    }

    /** A cell starts (as soon as its request arrives, before it compiles): interrupts from now on stop it. */
    public void beginCell(Object tag) {
        if (reserve == null) {
            try {
                reserve = new byte[RESERVE_BYTES];
            } catch (OutOfMemoryError e) {
                // still short of memory: try again at the next cell
            }
        }
        cell = tag;
        interruptPending = idleInterruptAt != Long.MIN_VALUE
                && System.nanoTime() - idleInterruptAt < TimeUnit.MILLISECONDS.toNanos(EARLY_INTERRUPT_WINDOW_MS);
        idleInterruptAt = Long.MIN_VALUE;
        cellActive = true;
    }

    public void endCell() {
        cellActive = false;
        interruptPending = false;
    }

    public boolean isCellActive() {
        return cellActive;
    }

    /** True once the current cell was interrupted (its remaining snippets must not start). */
    public boolean interruptPending() {
        return interruptPending && !KERNEL_WORK.get();
    }

    /** Runs the kernel's own evaluation (start-up) on this thread: not part of any cell, not interruptible. */
    public static void asKernelWork(Runnable work) {
        KERNEL_WORK.set(Boolean.TRUE);
        try {
            work.run();
        } finally {
            KERNEL_WORK.set(Boolean.FALSE);
        }
    }

    public static boolean isKernelWork() {
        return KERNEL_WORK.get();
    }

    public void interrupt() {
        if (!cellActive && running.isEmpty()) {
            idleInterruptAt = System.nanoTime();
            return;
        }
        interruptPending = true;
        for (Task t : running) {
            t.stop(false);
        }
    }

    public static boolean onWorkerThread() {
        return Thread.currentThread().getName().startsWith(WORKER_PREFIX);
    }

    /**
     * Runs work on a worker thread and waits for it.
     *
     * @throws Stopped when it was interrupted, timed out, or did not stop
     * @throws Failed  when it threw
     */
    public Object run(Callable<Object> work, long timeoutMillis) {
        boolean kernelWork = KERNEL_WORK.get();
        Task task = new Task(kernelWork ? null : cell, this::outOfMemory);
        task.future = workers.submit(() -> task.run(work));
        if (!kernelWork) {
            running.add(task);
            if (interruptPending) {
                task.stop(false);
            }
        }
        long start = System.nanoTime();
        try {
            while (true) {
                try {
                    if (task.finished.await(POLL_MS, TimeUnit.MILLISECONDS)) {
                        return task.future.get();
                    }
                    watch(task, start, timeoutMillis);
                } catch (ExecutionException e) {
                    throw outcome(task, unwrap(e.getCause()));
                } catch (InterruptedException e) {
                    task.stop(false); // the waiting thread itself was interrupted (embedding, tests)
                } catch (OutOfMemoryError e) {
                    // the cell is filling the heap: keep waiting, its own failure frees the memory
                }
            }
        } finally {
            running.remove(task);
        }
    }

    private void watch(Task task, long start, long timeoutMillis) {
        long now = System.nanoTime();
        if (!task.stopping && timeoutMillis > 0 && now - start > TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
            task.timedOut = true;
            task.stop(false);
        }
        if (!task.stopping) {
            return;
        }
        long since = TimeUnit.NANOSECONDS.toMillis(now - task.stopAt);
        if (since > GIVE_UP_AFTER_MS) {
            Thread t = task.thread;
            throw new Stopped(Stop.DID_NOT_STOP, "the cell did not stop within " + GIVE_UP_AFTER_MS / 1000
                    + " s of the " + (task.timedOut ? "time limit" : "interrupt") + " and still runs in the background"
                    + (t == null ? "" : " (thread " + t.getName() + ")")
                    + "; restart the kernel to free it");
        }
        if (since > STICKY_AFTER_MS && !task.sticky) {
            task.stop(true);
        } else if (now - task.lastPoke > TimeUnit.MILLISECONDS.toNanos(REINTERRUPT_MS)) {
            task.poke(); // library code may have cleared the interrupt flag
        }
    }

    private RuntimeException outcome(Task task, Throwable cause) {
        if (task.outOfMemoryStop && (cause instanceof StopCheck.StopRequested || cause instanceof InterruptedException
                || cause instanceof OutOfMemoryError)) {
            outOfMemory();
            return new Failed(new OutOfMemoryError("Java heap space (the cell was stopped with the heap "
                    + Math.round(HeapGuard.THRESHOLD * 100) + "% full after a collection)"));
        }
        boolean stopSignal = cause instanceof StopCheck.StopRequested
                || (task.stopping && cause instanceof InterruptedException);
        if (stopSignal) {
            return task.timedOut
                    ? new Stopped(Stop.TIMED_OUT, "the cell ran longer than the time limit")
                    : new Stopped(Stop.INTERRUPTED, "the cell was interrupted");
        }
        if (cause instanceof OutOfMemoryError) {
            outOfMemory();
        }
        return new Failed(cause);
    }

    /** Frees the reserve and the cell's variables; called on the worker as soon as it fails, and again here. */
    private void outOfMemory() {
        reserve = null;
        try {
            onOutOfMemory.run();
        } catch (Throwable ignored) {
            // freeing memory is best effort
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while (e instanceof InvocationTargetException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    public void close() {
        workers.shutdownNow();
    }

    /** One piece of work on a worker, with the thread it runs on so that it can be stopped. */
    private static final class Task {
        final Object cell;
        final Runnable outOfMemory;
        final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
        volatile Future<Object> future;
        volatile Thread thread;
        volatile boolean stopping;
        volatile boolean sticky;
        volatile boolean timedOut;
        volatile boolean outOfMemoryStop;
        volatile long stopAt;
        volatile long lastPoke;

        Task(Object cell, Runnable outOfMemory) {
            this.cell = cell;
            this.outOfMemory = outOfMemory;
        }

        Object run(Callable<Object> work) throws Exception {
            Thread me = Thread.currentThread();
            Thread.interrupted(); // a pooled worker must not carry an old interrupt into this work
            StopCheck.clear(me);
            CellThreads.enter(cell);
            thread = me;
            try {
                if (stopping) {
                    throw new StopCheck.StopRequested();
                }
                return work.call();
            } catch (OutOfMemoryError e) {
                outOfMemory.run();
                throw e;
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof OutOfMemoryError) {
                    outOfMemory.run();
                }
                throw e;
            } finally {
                finished.countDown();
                thread = null;
                StopCheck.clear(me);
                CellThreads.leave();
                Thread.interrupted();
            }
        }

        void stop(boolean stickyNow) {
            if (!stopping) {
                stopAt = System.nanoTime();
                stopping = true;
            }
            sticky |= stickyNow;
            Thread t = thread;
            if (t != null) {
                StopCheck.requestStop(t, stickyNow);
            }
            poke();
        }

        void poke() {
            lastPoke = System.nanoTime();
            Thread t = thread;
            if (t != null) {
                t.interrupt();
            }
        }
    }
}
