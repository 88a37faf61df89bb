package org.loralab.kernel;

import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager.ResultFlag;
import org.junit.jupiter.api.Test;
import org.loralab.kernel.history.InMemoryHistory;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryTest {

    private static final Set<ResultFlag> NONE = EnumSet.noneOf(ResultFlag.class);

    private static InMemoryHistory threeCells() {
        InMemoryHistory h = new InMemoryHistory();
        h.record(1, "int a = 1;");
        h.record(2, "a + 1");
        h.recordOutput(2, "2");
        h.record(3, "a + 1");
        return h;
    }

    @Test
    void tailReturnsTheLastCellsInOrder() {
        List<HistoryEntry> tail = threeCells().lookupTail(2, NONE);
        assertEquals(List.of(2, 3), tail.stream().map(HistoryEntry::getCellNumber).toList());
        assertFalse(tail.get(0).hasOutput());
        assertTrue(threeCells().lookupTail(5, EnumSet.of(ResultFlag.INCLUDE_OUTPUT)).get(1).hasOutput());
        assertEquals("2", threeCells().lookupTail(5, EnumSet.of(ResultFlag.INCLUDE_OUTPUT)).get(1).getOutput());
        assertTrue(new InMemoryHistory().lookupTail(3, NONE).isEmpty(), "an empty history still answers");
    }

    @Test
    void rangeIsStartInclusiveStopExclusive() {
        List<HistoryEntry> r = threeCells().lookupRange(0, 2, 3, NONE);
        assertEquals(1, r.size());
        assertEquals(2, r.get(0).getCellNumber());
        assertEquals(0, r.get(0).getSession());
        assertTrue(threeCells().lookupRange(5, 1, 3, NONE).isEmpty(), "earlier sessions are not kept");
    }

    @Test
    void searchTakesAGlobAndCanBeUnique() {
        assertEquals(2, threeCells().search("a +*", 0, NONE).size());
        assertEquals(1, threeCells().search("a +*", 0, EnumSet.of(ResultFlag.UNIQUE)).size());
        assertEquals(1, threeCells().search("int ?*", 10, NONE).size());
        assertTrue(threeCells().search("nothing*", 10, NONE).isEmpty());
    }
}
