package org.loralab.lora.search;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

/** Successive halving with a cheap deterministic objective in place of training. */
class SuccessiveHalvingTest {
    /** Best at r = 8, alpha = 2r, lr = 3e-3; longer runs scale it up without changing the order. */
    static double objective(Trial t, long steps) {
        double q = -Math.pow(Math.log10(t.lr()) - Math.log10(3e-3), 2) - Math.pow(t.r() - 8, 2) / 100.0
                - Math.abs(t.alpha() / t.r() - 2);
        return q * (1 - 1.0 / (steps + 1)) - 1.0 / steps;
    }

    private static SearchSpace space() {
        return SearchSpace.of(List.of(2, 4, 8, 16, 32), List.of(4.0, 8.0, 16.0, 32.0))
                .lrs(List.of(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2));
    }

    @Test
    void rungPlanArithmetic() {
        assertEquals(List.of(new Rung(0, 9, 10), new Rung(1, 3, 30), new Rung(2, 1, 90)),
                new SuccessiveHalving(9, 3, 10, 0).plan(9));
        assertEquals(List.of(new Rung(0, 8, 5), new Rung(1, 4, 10), new Rung(2, 2, 20), new Rung(3, 1, 40)),
                new SuccessiveHalving(8, 2, 5, 0).plan(8));
        assertEquals(List.of(new Rung(0, 10, 1), new Rung(1, 5, 2), new Rung(2, 2, 4), new Rung(3, 1, 8)),
                new SuccessiveHalving(10, 2, 1, 0).plan(10));
        assertEquals(List.of(new Rung(0, 5, 7), new Rung(1, 1, 21)), new SuccessiveHalving(5, 3, 7, 0).plan(5));
        assertEquals(List.of(new Rung(0, 1, 3)), new SuccessiveHalving(1, 2, 3, 0).plan(1));
        assertEquals(List.of(new Rung(0, 2, 3)), new SuccessiveHalving(2, 3, 3, 0).plan(2));
    }

    @Test
    void evaluatesEachRungWithTheRightTrialsAndStepsAndChoosesTheBest() {
        List<long[]> calls = new ArrayList<>(); // {trials, steps}
        List<List<Trial>> seen = new ArrayList<>();
        RungEvaluator fake = (trials, steps) -> {
            calls.add(new long[] {trials.size(), steps});
            seen.add(trials);
            return RungEvaluator.perTrial(SuccessiveHalvingTest::objective).evaluate(trials, steps);
        };
        SuccessiveHalving sh = new SuccessiveHalving(27, 3, 4, 42);
        SearchResult res = sh.run(space(), fake);
        assertEquals(4, calls.size(), "27 -> 9 -> 3 -> 1 is four rungs");
        long[][] expect = {{27, 4}, {9, 12}, {3, 36}, {1, 108}};
        for (int i = 0; i < expect.length; i++) {
            assertArrayEquals(expect[i], calls.get(i), "rung " + i);
        }
        assertEquals(27 * 4 + 9 * 12 + 3 * 36 + 108, res.totalSteps());
        // each rung's survivors are exactly the top third of the previous rung by the objective
        for (int i = 0; i + 1 < seen.size(); i++) {
            long steps = expect[i][1];
            List<Trial> sorted = new ArrayList<>(seen.get(i));
            sorted.sort(Comparator.comparingDouble((Trial t) -> -objective(t, steps)).thenComparingInt(Trial::id));
            List<Trial> top = new ArrayList<>(sorted.subList(0, seen.get(i + 1).size()));
            top.sort(Comparator.comparingInt(Trial::id));
            assertEquals(top, seen.get(i + 1), "survivors of rung " + i);
        }
        List<Trial> sampled = space().sample(27, 42);
        Trial best = sampled.stream().max(Comparator.comparingDouble(t -> objective(t, 108))).orElseThrow();
        assertEquals(best, res.chosen());
        assertEquals(objective(best, 108), res.chosenMetric(), 0);
        Table t = res.trials();
        assertEquals(27 + 9 + 3 + 1, t.rowCount());
        assertEquals(9 + 3 + 1, t.booleanColumn("promoted").countTrue());
        assertEquals(List.of("trial", "r", "alpha", "lr", "rung", "steps", "metric", "promoted"), t.columnNames());
        org.loralab.lora.config.AdapterConfig chosen =
                res.chosenConfig(org.loralab.lora.config.AdapterConfig.builder().targetModules("q").build());
        assertEquals(res.chosen().r(), chosen.r());
        assertEquals(res.chosen().alpha(), chosen.alpha());
    }

    @Test
    void minimiseAndNaNRankLast() {
        List<Trial> configs = List.of(new Trial(0, 4, 8, 1e-3), new Trial(1, 8, 16, 1e-3), new Trial(2, 16, 32, 1e-3),
                new Trial(3, 2, 4, 1e-3));
        // "loss": trial 2 is lowest; trial 1 diverged
        RungEvaluator loss = RungEvaluator.perTrial((tr, steps) -> tr.id() == 1 ? Double.NaN : 10.0 - tr.r() / 4.0);
        SearchResult res = new SuccessiveHalving(4, 2, 1, 0).maximize(false).run(configs, loss);
        assertEquals(2, res.chosen().id());
        // as accuracy the NaN run is still last and trial 3 (r=2) is worst
        SearchResult acc = new SuccessiveHalving(4, 2, 1, 0).run(configs, loss);
        assertEquals(3, acc.chosen().id());
        Table rung0 = acc.trials().where(acc.trials().intColumn("rung").isEqualTo(0));
        assertFalse(rung0.booleanColumn("promoted").get(1), "NaN is never promoted");
    }

    @Test
    void samplingIsSeededDistinctAndInsideTheSpace() {
        List<Trial> a = space().sample(30, 7);
        assertEquals(a, space().sample(30, 7));
        assertNotEquals(a, space().sample(30, 8));
        assertEquals(30, a.stream().map(t -> List.of(t.r(), t.alpha(), t.lr())).distinct().count());
        assertTrue(a.stream().allMatch(space()::contains));
        assertEquals(120, space().sample(500, 1).size(), "a finite grid caps the budget at its size");
        SearchSpace cont = SearchSpace.of(List.of(4), List.of(8.0)).logUniformLr(1e-4, 1e-2);
        List<Trial> c = cont.sample(50, 3);
        assertTrue(c.stream().allMatch(cont::contains));
        assertTrue(c.stream().anyMatch(t -> t.lr() < 1e-3) && c.stream().anyMatch(t -> t.lr() > 1e-3));
    }

    @Test
    void badArgumentsSayWhatToDo() {
        assertThrows(IllegalArgumentException.class, () -> new SuccessiveHalving(0, 2, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SuccessiveHalving(4, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SuccessiveHalving(4, 2, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> SearchSpace.of(List.of(), List.of(1.0)));
        assertThrows(IllegalArgumentException.class, () -> SearchSpace.of(List.of(4), List.of(1.0)).logUniformLr(1e-2, 1e-4));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new SuccessiveHalving(4, 2, 1, 0).run(space(), (trials, steps) -> List.of(1.0)));
        assertTrue(e.getMessage().contains("for 4 trials"), e.getMessage());
    }
}
