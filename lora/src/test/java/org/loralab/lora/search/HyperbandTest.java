package org.loralab.lora.search;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

/** Hyperband's brackets (Li et al. 2018, Table 1) and its search over a fake evaluator. */
class HyperbandTest {
    private static List<List<Integer>> sizes(List<Bracket> plan) {
        return plan.stream().map(b -> b.rungs().stream().map(Rung::trials).toList()).toList();
    }

    private static List<List<Long>> steps(List<Bracket> plan) {
        return plan.stream().map(b -> b.rungs().stream().map(Rung::steps).toList()).toList();
    }

    @Test
    void bracketsOfThePaperForR81AndEta3() {
        Hyperband hb = new Hyperband(1, 81, 3, 0);
        assertEquals(4, hb.sMax());
        List<Bracket> plan = hb.plan();
        assertEquals(List.of(List.of(81, 27, 9, 3, 1), List.of(34, 11, 3, 1), List.of(15, 5, 1), List.of(8, 2),
                List.of(5)), sizes(plan));
        assertEquals(List.of(List.of(1L, 3L, 9L, 27L, 81L), List.of(3L, 9L, 27L, 81L), List.of(9L, 27L, 81L),
                List.of(27L, 81L), List.of(81L)), steps(plan));
        // in steps: minSteps 10 scales every budget
        assertEquals(List.of(List.of(10L, 30L, 90L, 270L, 810L), List.of(30L, 90L, 270L, 810L),
                List.of(90L, 270L, 810L), List.of(270L, 810L), List.of(810L)), steps(new Hyperband(10, 810, 3, 0).plan()));
    }

    @Test
    void otherRAndEta() {
        // R = 8, eta = 2: s_max = 3, B = 32: n = 8, 6, 4, 4
        assertEquals(List.of(List.of(8, 4, 2, 1), List.of(6, 3, 1), List.of(4, 2), List.of(4)),
                sizes(new Hyperband(5, 40, 2, 0).plan()));
        assertEquals(List.of(List.of(5L, 10L, 20L, 40L), List.of(10L, 20L, 40L), List.of(20L, 40L), List.of(40L)),
                steps(new Hyperband(5, 40, 2, 0).plan()));
        // R not a power of eta (100 / 10 = 10, eta 3): s_max = 2, last rungs at maxSteps, budgets rounded
        Hyperband odd = new Hyperband(10, 100, 3, 0);
        assertEquals(2, odd.sMax());
        assertEquals(List.of(List.of(9, 3, 1), List.of(5, 1), List.of(3)), sizes(odd.plan()));
        assertEquals(List.of(List.of(11L, 33L, 100L), List.of(33L, 100L), List.of(100L)), steps(odd.plan()));
        // minSteps == maxSteps: one bracket, plain random search
        assertEquals(List.of(List.of(1)), sizes(new Hyperband(7, 7, 3, 0).plan()));
    }

    @Test
    void searchRunsEveryBracketAndChoosesTheBestFinalist() {
        SuccessiveHalvingTest.Recording eval = new SuccessiveHalvingTest.Recording(true);
        Hyperband hb = new Hyperband(2, 18, 3, 5);
        List<Bracket> plan = hb.plan(); // R = 9: [9,3,1]@[2,6,18], [5,1]@[6,18], [3]@[18]
        assertEquals(List.of(List.of(9, 3, 1), List.of(5, 1), List.of(3)), sizes(plan));
        SearchResult res = hb.run(SuccessiveHalvingTest.space(), eval);
        assertEquals("hyperband", res.scheme());
        Table t = res.trials();
        assertEquals(9 + 3 + 1 + 5 + 1 + 3, t.rowCount());
        assertEquals(List.of(0, 1, 2), t.intColumn("bracket").unique().asList().stream().sorted().toList());
        assertEquals(17, t.intColumn("trial").unique().size(), "trial ids are numbered across brackets");
        long formula = 9 * 2 + 3 * 4 + 12 + 5 * 6 + 12 + 3 * 18;
        assertEquals(formula, eval.trainedSteps);
        assertEquals(formula, res.totalSteps());
        assertEquals(formula, (long) t.longColumn("trained").sum());
        // the chosen one is the best of the brackets' last rungs, all at maxSteps
        Table last = t.where(t.longColumn("steps").isEqualTo(18));
        int bestRow = 0;
        for (int i = 1; i < last.rowCount(); i++) {
            if (last.doubleColumn("metric").get(i) > last.doubleColumn("metric").get(bestRow)) {
                bestRow = i;
            }
        }
        assertEquals(last.intColumn("trial").get(bestRow), res.chosen().id());
        assertEquals(18, res.chosenSteps());
        // all but the chosen trial released, each once
        assertEquals(16, eval.released.size());
        assertEquals(16, eval.released.stream().distinct().count());
        assertFalse(eval.released.contains(res.chosen().id()));
        // bracket b sampled with seed + b
        List<Trial> bracket1 = SuccessiveHalvingTest.space().sample(5, 6);
        Table b1 = t.where(t.intColumn("bracket").isEqualTo(1).and(t.intColumn("rung").isEqualTo(0)));
        List<Double> lrs = new ArrayList<>(b1.doubleColumn("lr").asList());
        assertEquals(bracket1.stream().map(Trial::lr).toList(), lrs);
    }

    @Test
    void badArgumentsSayWhatToDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Hyperband(10, 5, 3, 0));
        assertEquals("maxSteps must be >= minSteps (10), got 5: raise maxSteps or lower minSteps", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Hyperband(0, 5, 3, 0));
        e = assertThrows(IllegalArgumentException.class, () -> new Hyperband(1, 5, 1, 0));
        assertTrue(e.getMessage().startsWith("eta must be >= 2"), e.getMessage());
    }

    @Test
    void aDeterministicObjectiveGivesTheSameChoiceAsBruteForceWhenTheBestIsSampled() {
        // a tiny space sampled whole by the last bracket: Hyperband must end on its global optimum
        SearchSpace small = SearchSpace.of(List.of(4, 8), List.of(16.0)).lrs(List.of(3e-3));
        SearchResult res = new Hyperband(1, 4, 2, 0).run(small, (t, s) -> SuccessiveHalvingTest.objective(t, s));
        Trial best = small.sample(2, 0).stream()
                .max(Comparator.comparingDouble(t -> SuccessiveHalvingTest.objective(t, 4))).orElseThrow();
        assertEquals(best.r(), res.chosen().r());
    }
}
