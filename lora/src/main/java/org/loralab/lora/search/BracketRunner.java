package org.loralab.lora.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * Runs brackets of successive halving against one evaluator, filling one table and counting steps: the part
 * {@link SuccessiveHalving} and {@link Hyperband} share. Ranking: the better metric first (NaN last), ties to the
 * trial sampled first (lower id). Eliminated trials are released at once; each bracket's winner is kept.
 */
final class BracketRunner {
    /** A bracket's winner. */
    record Outcome(Trial winner, double metric, long steps) {}

    private final RungEvaluator evaluator;
    private final boolean maximize;
    private final SearchListener listener;
    private final int brackets;
    private final long plannedSteps;
    private final Table table = emptyTable();
    private long spent;
    private Trial best;
    private double bestMetric = Double.NaN;
    private long bestSteps;

    BracketRunner(RungEvaluator evaluator, boolean maximize, SearchListener listener, int brackets,
            long plannedSteps) {
        this.evaluator = evaluator;
        this.maximize = maximize;
        this.listener = listener == null ? SearchListener.NONE : listener;
        this.brackets = brackets;
        this.plannedSteps = plannedSteps;
    }

    static Table emptyTable() {
        return Table.create("search",
                IntColumn.create("bracket"), IntColumn.create("rung"), IntColumn.create("trial"),
                IntColumn.create("r"), DoubleColumn.create("alpha"), DoubleColumn.create("lr"),
                LongColumn.create("steps"), LongColumn.create("trained"), DoubleColumn.create("metric"),
                BooleanColumn.create("promoted"));
    }

    Table table() {
        return table;
    }

    long spent() {
        return spent;
    }

    /** Runs {@code bracket} on {@code configs} (as many as its first rung). */
    Outcome run(Bracket bracket, List<Trial> configs) {
        List<Rung> rungs = bracket.rungs();
        if (configs.size() != bracket.trials()) {
            throw new IllegalStateException("bracket " + bracket.index() + " plans " + bracket.trials()
                    + " trials but got " + configs.size());
        }
        boolean continuing = evaluator.continuesTraining();
        Map<Integer, Long> had = new HashMap<>();
        List<Trial> alive = new ArrayList<>(configs);
        alive.sort(Comparator.comparingInt(Trial::id));
        Outcome outcome = null;
        for (int ri = 0; ri < rungs.size(); ri++) {
            Rung rung = rungs.get(ri);
            List<Trial> current = List.copyOf(alive);
            double[] metrics = new double[current.size()];
            for (int j = 0; j < current.size(); j++) {
                Trial t = current.get(j);
                long from = continuing ? had.getOrDefault(t.id(), 0L) : 0L;
                SearchProgress p = progress(bracket, ri, rungs.size(), j, current.size(), t, from, rung.steps());
                listener.onTrialStart(p);
                metrics[j] = evaluator.evaluate(t, rung.steps());
                spent += rung.steps() - from;
                had.put(t.id(), rung.steps());
                if (best == null || rung.steps() > bestSteps
                        || (rung.steps() == bestSteps && better(metrics[j], t, bestMetric, best))) {
                    best = t;
                    bestMetric = metrics[j];
                    bestSteps = rung.steps();
                }
                listener.onTrialEnd(progress(bracket, ri, rungs.size(), j, current.size(), t, from, rung.steps()),
                        metrics[j]);
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < current.size(); i++) {
                order.add(i);
            }
            order.sort((a, b) -> better(metrics[a], current.get(a), metrics[b], current.get(b)) ? -1
                    : better(metrics[b], current.get(b), metrics[a], current.get(a)) ? 1 : 0);
            boolean last = ri == rungs.size() - 1;
            int keep = last ? 0 : Math.min(current.size(), rungs.get(ri + 1).trials());
            boolean[] promoted = new boolean[current.size()];
            for (int k = 0; k < keep; k++) {
                promoted[order.get(k)] = true;
            }
            int winner = order.get(0);
            List<Trial> next = new ArrayList<>();
            for (int i = 0; i < current.size(); i++) {
                Trial t = current.get(i);
                table.intColumn("bracket").append(bracket.index());
                table.intColumn("rung").append(rung.index());
                table.intColumn("trial").append(t.id());
                table.intColumn("r").append(t.r());
                table.doubleColumn("alpha").append(t.alpha());
                table.doubleColumn("lr").append(t.lr());
                table.longColumn("steps").append(rung.steps());
                table.longColumn("trained").append(rung.steps() - (continuing && ri > 0 ? rungs.get(ri - 1).steps() : 0));
                table.doubleColumn("metric").append(metrics[i]);
                table.booleanColumn("promoted").append(promoted[i]);
                if (promoted[i]) {
                    next.add(t);
                } else if (!(last && i == winner)) {
                    evaluator.release(t);
                }
            }
            alive = next;
            outcome = new Outcome(current.get(winner), metrics[winner], rung.steps());
        }
        return outcome;
    }

    private SearchProgress progress(Bracket bracket, int rung, int rungs, int position, int inRung, Trial t,
            long from, long to) {
        return new SearchProgress(bracket.index(), brackets, rung, rungs, position, inRung, t, from, to, spent,
                plannedSteps, best, bestMetric, bestSteps);
    }

    /** Whether metric {@code a} of trial {@code ta} ranks before {@code b} of {@code tb}. */
    boolean better(double a, Trial ta, double b, Trial tb) {
        double ka = key(a);
        double kb = key(b);
        if (ka != kb) {
            return ka < kb;
        }
        return ta.id() < tb.id();
    }

    /** Sort key: smaller is better; NaN last. */
    private double key(double metric) {
        if (Double.isNaN(metric)) {
            return Double.POSITIVE_INFINITY;
        }
        return maximize ? -metric : metric;
    }
}
