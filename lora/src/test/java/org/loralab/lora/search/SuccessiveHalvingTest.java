package org.loralab.lora.search;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    static SearchSpace space() {
        return SearchSpace.of(List.of(2, 4, 8, 16, 32), List.of(4.0, 8.0, 16.0, 32.0))
                .lrs(List.of(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2));
    }

    /** A fake evaluator that records calls, counts the steps it "trains" and what it was asked to release. */
    static final class Recording implements RungEvaluator {
        final boolean continuing;
        final List<long[]> calls = new ArrayList<>(); // {trial id, steps}
        final Map<Integer, Long> had = new HashMap<>();
        final List<Integer> released = new ArrayList<>();
        long trainedSteps;

        Recording(boolean continuing) {
            this.continuing = continuing;
        }

        @Override
        public double evaluate(Trial t, long steps) {
            assertFalse(released.contains(t.id()), "a released trial is never evaluated again");
            calls.add(new long[] {t.id(), steps});
            trainedSteps += steps - (continuing ? had.getOrDefault(t.id(), 0L) : 0L);
            had.put(t.id(), steps);
            return objective(t, steps);
        }

        @Override
        public boolean continuesTraining() {
            return continuing;
        }

        @Override
        public void release(Trial t) {
            released.add(t.id());
        }
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
        // maxSteps caps the rungs: 27 trials from 10 steps, at most 90: 27@10, 9@30, 3@90
        assertEquals(List.of(new Rung(0, 27, 10), new Rung(1, 9, 30), new Rung(2, 3, 90)),
                new SuccessiveHalving(27, 3, 10, 0).maxSteps(100).plan(27));
        assertEquals(List.of(new Rung(0, 8, 5)), new SuccessiveHalving(8, 2, 5, 0).maxSteps(9).plan(8));
    }

    @Test
    void bracketCostIsTheClassicBudgetWithContinuationAndTheFullBudgetWithout() {
        Bracket b = new Bracket(0, new SuccessiveHalving(27, 3, 4, 0).plan(27)); // 27@4, 9@12, 3@36, 1@108
        assertEquals(27 * 4 + 9 * 8 + 3 * 24 + 72, b.cost(true));
        assertEquals(27 * 4 + 9 * 12 + 3 * 36 + 108, b.cost(false));
    }

    @Test
    void continuingSearchTrainsExactlyTheBudgetFormulaAndReleasesTheEliminated() {
        Recording eval = new Recording(true);
        SearchResult res = new SuccessiveHalving(27, 3, 4, 42).run(space(), eval);
        long formula = 27 * 4 + 9 * (12 - 4) + 3 * (36 - 12) + (108 - 36);
        assertEquals(formula, eval.trainedSteps);
        assertEquals(formula, res.totalSteps());
        assertTrue(res.continued());
        Table t = res.trials();
        assertEquals(formula, (long) t.longColumn("trained").sum());
        assertEquals(27 + 9 + 3 + 1, eval.calls.size());
        // everyone but the chosen trial was released, each once, after its last evaluation
        assertEquals(26, eval.released.size());
        assertEquals(26, eval.released.stream().distinct().count());
        assertFalse(eval.released.contains(res.chosen().id()));
        Recording retrain = new Recording(false);
        SearchResult again = new SuccessiveHalving(27, 3, 4, 42).run(space(), retrain);
        assertEquals(27 * 4 + 9 * 12 + 3 * 36 + 108, retrain.trainedSteps);
        assertEquals(retrain.trainedSteps, again.totalSteps());
        assertEquals(res.chosen(), again.chosen(), "same ranking either way for a deterministic objective");
    }

    @Test
    void evaluatesEachRungWithTheRightTrialsAndStepsAndChoosesTheBest() {
        List<List<Trial>> seen = new ArrayList<>();
        List<Long> rungSteps = new ArrayList<>();
        RungEvaluator fake = (trial, steps) -> {
            if (rungSteps.isEmpty() || rungSteps.get(rungSteps.size() - 1) != steps) {
                rungSteps.add(steps);
                seen.add(new ArrayList<>());
            }
            seen.get(seen.size() - 1).add(trial);
            return objective(trial, steps);
        };
        SearchResult res = new SuccessiveHalving(27, 3, 4, 42).run(space(), fake);
        assertEquals(List.of(4L, 12L, 36L, 108L), rungSteps, "27 -> 9 -> 3 -> 1 is four rungs");
        assertEquals(List.of(27, 9, 3, 1), seen.stream().map(List::size).toList());
        // each rung's survivors are exactly the top third of the previous rung by the objective
        for (int i = 0; i + 1 < seen.size(); i++) {
            long steps = rungSteps.get(i);
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
        assertEquals(108, res.chosenSteps());
        Table t = res.trials();
        assertEquals(27 + 9 + 3 + 1, t.rowCount());
        assertEquals(9 + 3 + 1, t.booleanColumn("promoted").countTrue());
        assertEquals(List.of("bracket", "rung", "trial", "r", "alpha", "lr", "steps", "trained", "metric", "promoted"),
                t.columnNames());
        assertEquals(27 * 4 + 9 * 12 + 3 * 36 + 108, res.totalSteps(), "a plain function retrains");
        org.loralab.lora.config.AdapterConfig chosen =
                res.chosenConfig(org.loralab.lora.config.AdapterConfig.builder().targetModules("q").build());
        assertEquals(res.chosen().r(), chosen.r());
        assertEquals(res.chosen().alpha(), chosen.alpha());
    }

    @Test
    void tiesGoToTheTrialSampledFirstAndTheWinnerTooIsTheLowestIdAmongEquals() {
        List<Trial> configs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            configs.add(new Trial(i, 4, 8, 1e-3));
        }
        // ids 5, 2, 7 share the best metric; the rest are worse
        RungEvaluator eval = (tr, steps) -> tr.id() == 5 || tr.id() == 2 || tr.id() == 7 ? 0.9 : 0.1 * tr.id() / 10;
        SearchResult res = new SuccessiveHalving(8, 2, 1, 0).run(configs, eval);
        Table t = res.trials();
        Table rung0 = t.where(t.intColumn("rung").isEqualTo(0));
        List<Integer> promoted = new ArrayList<>();
        for (int i = 0; i < rung0.rowCount(); i++) {
            if (rung0.booleanColumn("promoted").get(i)) {
                promoted.add(rung0.intColumn("trial").get(i));
            }
        }
        // keep 4: the three tied at 0.9, then the best of the rest (id 6: 0.06)
        assertEquals(List.of(2, 5, 6, 7), promoted);
        assertEquals(2, res.chosen().id(), "a tie in the last rung goes to the lower id");
    }

    @Test
    void minimiseAndNaNRankLast() {
        List<Trial> configs = List.of(new Trial(0, 4, 8, 1e-3), new Trial(1, 8, 16, 1e-3), new Trial(2, 16, 32, 1e-3),
                new Trial(3, 2, 4, 1e-3));
        // "loss": trial 2 is lowest; trial 1 diverged
        RungEvaluator loss = (tr, steps) -> tr.id() == 1 ? Double.NaN : 10.0 - tr.r() / 4.0;
        SearchResult res = new SuccessiveHalving(4, 2, 1, 0).maximize(false).run(configs, loss);
        assertEquals(2, res.chosen().id());
        // as accuracy the NaN run is still last and trial 3 (r=2) is worst
        SearchResult acc = new SuccessiveHalving(4, 2, 1, 0).run(configs, loss);
        assertEquals(3, acc.chosen().id());
        Table rung0 = acc.trials().where(acc.trials().intColumn("rung").isEqualTo(0));
        assertFalse(rung0.booleanColumn("promoted").get(1), "NaN is never promoted");
    }

    @Test
    void listenerSeesEveryTrialWithTheBestSoFar() {
        List<SearchProgress> starts = new ArrayList<>();
        List<SearchResult> ends = new ArrayList<>();
        SearchListener l = new SearchListener() {
            @Override
            public void onTrialStart(SearchProgress p) {
                starts.add(p);
            }

            @Override
            public void onEnd(SearchResult r) {
                ends.add(r);
            }
        };
        Recording eval = new Recording(true);
        SearchResult res = new SuccessiveHalving(9, 3, 2, 1).listener(l).run(space(), eval);
        assertEquals(9 + 3 + 1, starts.size());
        assertEquals(List.of(res), ends);
        SearchProgress first = starts.get(0);
        assertNull(first.best());
        assertEquals(0, first.stepsSpent());
        assertEquals(9 * 2 + 3 * 4 + 12, first.plannedSteps());
        SearchProgress lastOne = starts.get(starts.size() - 1);
        assertEquals(2, lastOne.rung());
        assertEquals(6, lastOne.fromSteps(), "the finalist continues from rung 1's budget");
        assertEquals(18, lastOne.toSteps());
        assertEquals(9 * 2 + 3 * 4, lastOne.stepsSpent());
        assertNotNull(lastOne.best());
        assertEquals(6, lastOne.bestSteps(), "best so far is measured at the largest budget reached");
        assertTrue(lastOne.describe().startsWith("rung 3/3, trial 1 of 1"), lastOne.describe());
        assertTrue(lastOne.describeBest().startsWith("best so far: #"), lastOne.describeBest());
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
        IllegalArgumentException eta = assertThrows(IllegalArgumentException.class,
                () -> new SuccessiveHalving(4, 1, 1, 0));
        assertEquals("eta must be >= 2 (2 keeps the better half, 3 the best third), got 1", eta.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SuccessiveHalving(4, 2, 0, 0));
        IllegalArgumentException max = assertThrows(IllegalArgumentException.class,
                () -> new SuccessiveHalving(4, 2, 10, 0).maxSteps(5));
        assertEquals("maxSteps must be >= minSteps (10), got 5: raise maxSteps or lower minSteps", max.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SearchSpace.of(List.of(), List.of(1.0)));
        assertThrows(IllegalArgumentException.class, () -> SearchSpace.of(List.of(4), List.of(1.0)).logUniformLr(1e-2, 1e-4));
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> new SuccessiveHalving(2, 2, 1, 0).run(List.of(new Trial(0, 4, 8, 1e-3), new Trial(0, 8, 8, 1e-3)),
                        (t, s) -> 1.0));
        assertEquals("trial ids must be distinct", dup.getMessage());
    }
}
