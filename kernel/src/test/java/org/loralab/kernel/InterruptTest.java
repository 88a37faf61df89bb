package org.loralab.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loralab.kernel.errors.ErrorReport;
import org.loralab.kernel.errors.EvaluationInterruptedException;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class InterruptTest {

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

    /** Runs the cell, interrupts it once it is running, and returns what it threw. */
    private static Throwable interrupted(String cell) {
        k.eval("var started = new java.util.concurrent.CountDownLatch(1);");
        var started = (java.util.concurrent.CountDownLatch) k.kernel.evalRaw("started");
        timer.execute(() -> {
            try {
                started.await();
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            k.kernel.interrupt();
        });
        // the bound only keeps a broken interrupt from hanging the build; the 1 s goal is checked end to end
        return assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> k.capture(cell)).thrown();
    }

    @Test
    void endlessLoopStopsAndItsThreadEnds() throws Exception {
        k.eval("long spins = 0;");
        Throwable t = interrupted("started.countDown(); while (true) { spins++; }");
        assertInstanceOf(EvaluationInterruptedException.class, t);
        long first = (Long) k.kernel.evalRaw("spins");
        TimeUnit.MILLISECONDS.sleep(300);
        assertEquals(first, (Long) k.kernel.evalRaw("spins"), "the woven stop check must end the loop itself");
        assertEquals("2", k.text("1+1"));
    }

    @Test
    void sleepStops() {
        Throwable t = interrupted("started.countDown(); Thread.sleep(60_000);");
        assertInstanceOf(EvaluationInterruptedException.class, t);
        assertEquals("3", k.text("1+2"));
    }

    @Test
    void longRunningMagicIsInterrupted() throws Exception {
        var running = new java.util.concurrent.CountDownLatch(1);
        k.kernel.getMagicsRegistry().registerLineMagic("slow",
                (org.dflib.jjava.jupyter.kernel.magic.LineMagic<Object, JShellKernel>) (kernel, args) -> {
                    running.countDown();
                    Thread.sleep(60_000);
                    return null;
                });
        timer.execute(() -> {
            try {
                running.await();
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            k.kernel.interrupt();
        });
        Throwable t = assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> k.capture("%slow")).thrown();
        assertEquals("EvaluationInterruptedException", ErrorReport.of(t).ename(), () -> ErrorReport.of(t).toString());
        assertEquals("5", k.text("2+3"));
    }

    @Test
    void loopInsideUserMethodStops() {
        k.eval("void spin() { while (true) { Math.sqrt(2); } }");
        Throwable t = interrupted("started.countDown(); spin();");
        assertInstanceOf(EvaluationInterruptedException.class, t, () -> ErrorReport.of(t).toString());
        assertEquals("4", k.text("2+2"));
    }
}
