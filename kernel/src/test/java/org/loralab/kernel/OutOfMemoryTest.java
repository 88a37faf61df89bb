package org.loralab.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loralab.kernel.errors.ErrorReport;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs with -Xmx1g (the memory-release execution): a cell that fills the heap fails and leaves the heap free. */
class OutOfMemoryTest {

    static TestKernel k;

    @BeforeAll
    static void start() {
        k = new TestKernel();
    }

    @AfterAll
    static void stop() {
        k.close();
    }

    @Test
    void aHeapFillingCellFailsFastAndItsMemoryIsReleased() {
        long max = Runtime.getRuntime().maxMemory();
        assertTrue(max <= 1L << 30, "run this test with a small heap (-Xmx1g), not " + max);
        TestKernel.Captured c = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> k.capture(
                "long[][] hog = new long[100000][];\nfor (int i = 0; ; i++) hog[i] = new long[100000];"));
        assertNotNull(c.thrown(), "the cell must fail");
        ErrorReport r = ErrorReport.of(c.thrown());
        assertEquals("OutOfMemoryError", r.ename(), r.toString());
        assertTrue(r.traceback().get(r.traceback().size() - 1).contains("hog"), r.traceback().toString());
        assertEquals("true", k.text("hog == null"));
        // 60% of the heap in one piece: only possible if the cell's array of arrays was let go
        int n = (int) (max * 0.6 / 8);
        assertEquals(String.valueOf(n), k.text("new long[" + n + "].length"));
        assertEquals("2", k.text("1 + 1"));
    }
}
