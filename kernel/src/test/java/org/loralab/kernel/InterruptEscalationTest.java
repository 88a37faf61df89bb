package org.loralab.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loralab.kernel.errors.CellNotStoppedException;
import org.loralab.kernel.errors.ErrorReport;
import org.loralab.kernel.errors.EvaluationInterruptedException;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Interrupts that a cell swallows, that arrive before the cell runs, and cells that cannot be stopped. */
class InterruptEscalationTest {

    static TestKernel k;
    static ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "interrupter");
        t.setDaemon(true);
        return t;
    });

    @BeforeAll
    static void start() {
        k = new TestKernel();
    }

    @AfterAll
    static void stop() {
        timer.shutdownNow();
        k.close();
    }

    /** Runs the cell, interrupts it 300 ms after `started` counts down; returns what it threw and how long it took. */
    private static Throwable interruptedAfterStart(String cell, long maxMillis) {
        k.eval("var started = new java.util.concurrent.CountDownLatch(1);");
        CountDownLatch started = (CountDownLatch) k.kernel.evalRaw("started");
        long[] interruptedAt = new long[1];
        timer.execute(() -> {
            try {
                started.await();
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            interruptedAt[0] = System.nanoTime();
            k.kernel.interrupt();
        });
        Throwable t = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> k.capture(cell)).thrown();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - interruptedAt[0]);
        assertTrue(tookMs <= maxMillis, "took " + tookMs + " ms after the interrupt");
        return t;
    }

    @Test
    void aCellThatCatchesEverythingIsStoppedAnyway() {
        for (String cell : new String[]{
            "started.countDown(); while (true) { try { while (true) { } } catch (Throwable t) { } }",
            "started.countDown(); try { while (true) { } } finally { while (true) { } }",
            "int deep(int n) { try { return deep(n + 1); } catch (StackOverflowError e) { return deep(n + 1); } }\n"
                    + "started.countDown(); while (true) { try { deep(0); } catch (Throwable t) { } }",
        }) {
            Throwable t = interruptedAfterStart(cell, 2500);
            assertInstanceOf(EvaluationInterruptedException.class, t, () -> ErrorReport.of(t).toString());
            assertEquals("2", k.text("1 + 1"));
        }
    }

    @Test
    void aCellThatCannotStopIsReportedAndTheKernelAnswers() {
        // blocked on a monitor: neither the stop check nor Thread.interrupt() reaches it
        k.eval("Object lock = new Object(); var release = new java.util.concurrent.CountDownLatch(1);");
        k.eval("var holder = new Thread(() -> { synchronized (lock) { try { release.await(); } catch (InterruptedException e) { } } }); holder.start();");
        Throwable t = interruptedAfterStart("started.countDown(); synchronized (lock) { }", 4500);
        assertInstanceOf(CellNotStoppedException.class, t, () -> ErrorReport.of(t).toString());
        assertTrue(t.getMessage().contains("restart the kernel"), t.getMessage());
        assertEquals("3", k.text("1 + 2"));
        assertNull(k.eval("release.countDown();"));
    }

    @Test
    void anInterruptJustBeforeTheCellStartsCounts() {
        k.kernel.interrupt(); // while idle: remembered briefly (the request race of a quick stop button)
        Throwable t = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> k.capture("Thread.sleep(20_000);")).thrown();
        assertInstanceOf(EvaluationInterruptedException.class, t);
    }

    @Test
    void anOldIdleInterruptDoesNotHitTheNextCell() throws Exception {
        k.kernel.interrupt();
        Thread.sleep(600);
        assertEquals("4", k.text("2 + 2"));
    }
}
