package org.loralab.lora.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * Automated r / alpha / lr search by successive halving (Jamieson and Talwalkar 2016; the inner loop of
 * Hyperband), the seeds' "MiRA" idea: sample {@code n} configurations, train all briefly, keep the best
 * {@code 1/eta}, train those {@code eta} times longer, and so on until one is left.
 *
 * <p>Rung {@code i} (i = 0..s, {@code s = floor(log_eta n)}) runs {@code floor(n / eta^i)} configurations for
 * {@code minSteps · eta^i} steps each; the top {@code floor(n / eta^(i+1))} by the metric go on. Each rung
 * trains from a fresh model (no warm start), so a configuration's metric at rung i is exactly that of a run of
 * that many steps; the total cost is {@code Σ_i floor(n/eta^i) · minSteps · eta^i}, about
 * {@code (s+1) · n · minSteps} instead of {@code n · minSteps · eta^s} for training every configuration fully.
 * Ties keep the trial sampled first; NaN metrics (diverged runs) rank last.
 *
 * <pre>{@code
 * SearchResult res = new SuccessiveHalving(9, 3, 20, 7L).maximize(true)
 *         .run(SearchSpace.of(List.of(4, 8, 16), List.of(8.0, 16.0)).logUniformLr(1e-4, 3e-2),
 *              new FitRungEvaluator(baseModel, template, train, validation, FitOptions.defaults().batchSize(32)));
 * res.trials();   // Tablesaw table of every evaluation
 * }</pre>
 */
public final class SuccessiveHalving {
    private final int budget;
    private final int eta;
    private final long minSteps;
    private final long seed;
    private boolean maximize = true;

    /**
     * @param budget number of configurations sampled (the trial budget), >= 1
     * @param eta reduction factor, >= 2 (2 = halving)
     * @param minSteps steps of every configuration in rung 0, >= 1
     * @param seed sampling seed
     */
    public SuccessiveHalving(int budget, int eta, long minSteps, long seed) {
        if (budget < 1) {
            throw new IllegalArgumentException("the trial budget must be >= 1, got " + budget);
        }
        if (eta < 2) {
            throw new IllegalArgumentException("eta must be >= 2 (2 keeps the better half), got " + eta);
        }
        if (minSteps < 1) {
            throw new IllegalArgumentException("minSteps must be >= 1, got " + minSteps);
        }
        this.budget = budget;
        this.eta = eta;
        this.minSteps = minSteps;
        this.seed = seed;
    }

    /** Whether a larger metric is better (accuracy: true, the default; loss: false). */
    public SuccessiveHalving maximize(boolean on) {
        this.maximize = on;
        return this;
    }

    /** The rungs for {@code n} configurations. */
    public List<Rung> plan(int n) {
        List<Rung> out = new ArrayList<>();
        long steps = minSteps;
        for (int i = 0, k = n; k >= 1; i++, k /= eta) {
            out.add(new Rung(i, k, steps));
            if (k < eta) {
                break;
            }
            steps = Math.multiplyExact(steps, eta);
        }
        return out;
    }

    /** Samples the budget from {@code space} and runs the rungs with {@code evaluator}. */
    public SearchResult run(SearchSpace space, RungEvaluator evaluator) {
        return run(space.sample(budget, seed), evaluator);
    }

    /** Runs the rungs on given configurations (ids must be distinct). */
    public SearchResult run(List<Trial> configs, RungEvaluator evaluator) {
        if (configs.isEmpty()) {
            throw new IllegalArgumentException("no configurations to search");
        }
        List<Rung> plan = plan(configs.size());
        Table t = Table.create("search",
                IntColumn.create("trial"), IntColumn.create("r"), DoubleColumn.create("alpha"),
                DoubleColumn.create("lr"), IntColumn.create("rung"), LongColumn.create("steps"),
                DoubleColumn.create("metric"), BooleanColumn.create("promoted"));
        List<Trial> alive = new ArrayList<>(configs);
        long total = 0;
        Trial best = null;
        double bestMetric = Double.NaN;
        for (Rung rung : plan) {
            List<Trial> current = List.copyOf(alive);
            List<Double> metrics = evaluator.evaluate(current, rung.steps());
            if (metrics == null || metrics.size() != alive.size()) {
                throw new IllegalStateException("the evaluator returned " + (metrics == null ? "null" : metrics.size()
                        + " metrics") + " for " + alive.size() + " trials in rung " + rung.index());
            }
            total += rung.cost();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < alive.size(); i++) {
                order.add(i);
            }
            order.sort(Comparator.<Integer>comparingDouble(i -> rank(metrics.get(i)))
                    .thenComparingInt(i -> current.get(i).id()));
            int last = plan.get(plan.size() - 1).index();
            int keep = rung.index() == last ? 1 : plan.get(rung.index() + 1).trials();
            boolean[] promoted = new boolean[alive.size()];
            for (int j = 0; j < keep; j++) {
                promoted[order.get(j)] = true;
            }
            for (int i = 0; i < alive.size(); i++) {
                Trial tr = alive.get(i);
                t.intColumn("trial").append(tr.id());
                t.intColumn("r").append(tr.r());
                t.doubleColumn("alpha").append(tr.alpha());
                t.doubleColumn("lr").append(tr.lr());
                t.intColumn("rung").append(rung.index());
                t.longColumn("steps").append(rung.steps());
                t.doubleColumn("metric").append(metrics.get(i));
                t.booleanColumn("promoted").append(rung.index() != last && promoted[i]);
            }
            best = alive.get(order.get(0));
            bestMetric = metrics.get(order.get(0));
            List<Trial> next = new ArrayList<>();
            for (int j = 0; j < keep; j++) {
                next.add(alive.get(order.get(j)));
            }
            next.sort(Comparator.comparingInt(Trial::id));
            alive = next;
        }
        return new SearchResult(t, best, bestMetric, plan, total);
    }

    /** Sort key: smaller is better; NaN last. */
    private double rank(double metric) {
        if (Double.isNaN(metric)) {
            return Double.POSITIVE_INFINITY;
        }
        return maximize ? -metric : metric;
    }
}
