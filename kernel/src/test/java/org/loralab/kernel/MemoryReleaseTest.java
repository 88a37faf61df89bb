package org.loralab.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs in its own surefire execution with -Xmx1g. Each cell allocates ~35% of the heap; while a new value is built
 * the old one is still referenced (peak ~70%), and a third live value cannot fit: the cells pass only if the kernel
 * releases the value of the overwritten variable.
 */
class MemoryReleaseTest {

    static TestKernel k;

    @BeforeAll
    static void start() {
        k = new TestKernel();
    }

    @AfterAll
    static void stop() {
        k.close();
    }

    private static int aThirdOfHeap() {
        long max = Runtime.getRuntime().maxMemory();
        assertTrue(max <= 1L << 30, "run this test with a small heap (-Xmx1g), not " + max);
        return (int) (max * 0.35);
    }

    @Test
    void redeclaringAVariableReleasesTheOldValue() {
        int n = aThirdOfHeap();
        for (int i = 0; i < 3; i++) {
            // different source each time: a new snippet and wrapper class, the old wrapper must let go
            assertNull(k.eval("var big = new byte[" + n + "]; // run " + i));
            assertNull(k.eval("String big = \"small\";"));
            assertNull(k.eval("var other" + i + " = new byte[" + n + "];"));
            assertNull(k.eval("other" + i + " = null;"));
        }
        assertEquals("small", k.text("big"));
    }

    @Test
    void reRunningTheSameCellKeepsOnlyOneValue() {
        int n = aThirdOfHeap();
        for (int i = 0; i < 4; i++) {
            assertNull(k.eval("var same = new byte[" + n + "];"));
        }
        assertEquals(String.valueOf(n), k.text("same.length"));
        assertNull(k.eval("same = null;"));
    }
}
