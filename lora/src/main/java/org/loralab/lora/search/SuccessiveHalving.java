package org.loralab.lora.search;

import java.util.ArrayList;
import java.util.List;

/**
 * Automated r / alpha / lr search by successive halving (Jamieson and Talwalkar 2016; the inner loop of
 * {@link Hyperband}), the seeds' "MiRA" idea: sample {@code n} configurations, train all briefly, keep the best
 * {@code 1/eta}, train those {@code eta} times longer, and so on until one is left.
 *
 * <p>Rung {@code i} (i = 0..s, {@code s = floor(log_eta n)}, fewer when {@link #maxSteps} caps the budget) runs
 * {@code n_i = floor(n / eta^i)} configurations to a budget of {@code r_i = minSteps · eta^i} steps; the top
 * {@code n_{i+1}} by the metric go on. With an evaluator that continues training ({@link FitRungEvaluator}, the
 * default) a promoted trial trains only its {@code r_i − r_{i−1}} new steps, so the search costs
 * {@code Σ_i n_i · (r_i − r_{i−1})}, about {@code n · minSteps · (1 + s · (1 − 1/eta))}; retraining from scratch
 * costs {@code Σ_i n_i · r_i}, about {@code (s+1) · n · minSteps}. Ties keep the trial sampled first; NaN metrics (diverged runs) rank last.
 *
 * <pre>{@code
 * try (FitRungEvaluator eval = new FitRungEvaluator(baseModel, template, train, validation, options)) {
 *     SearchResult res = new SuccessiveHalving(9, 3, 20, 7L)
 *             .run(SearchSpace.of(List.of(4, 8, 16), List.of(8.0, 16.0)).logUniformLr(1e-4, 3e-2), eval);
 *     res.trials();   // Tablesaw table of every evaluation
 * }
 * }</pre>
 */
public final class SuccessiveHalving implements SearchScheme {
    private final int budget;
    private final int eta;
    private final long minSteps;
    private final long seed;
    private long maxSteps = Long.MAX_VALUE;
    private boolean maximize = true;
    private SearchListener listener = SearchListener.NONE;

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
        checkEta(eta);
        if (minSteps < 1) {
            throw new IllegalArgumentException("minSteps must be >= 1, got " + minSteps);
        }
        this.budget = budget;
        this.eta = eta;
        this.minSteps = minSteps;
        this.seed = seed;
    }

    static void checkEta(int eta) {
        if (eta < 2) {
            throw new IllegalArgumentException("eta must be >= 2 (2 keeps the better half, 3 the best third), got "
                    + eta);
        }
    }

    /** No rung trains a trial beyond {@code steps} (the last rung may then rank several trials). */
    public SuccessiveHalving maxSteps(long steps) {
        if (steps < minSteps) {
            throw new IllegalArgumentException("maxSteps must be >= minSteps (" + minSteps + "), got " + steps
                    + ": raise maxSteps or lower minSteps");
        }
        this.maxSteps = steps;
        return this;
    }

    /** Whether a larger metric is better (accuracy: true, the default; loss: false). */
    public SuccessiveHalving maximize(boolean on) {
        this.maximize = on;
        return this;
    }

    /** Progress events (which trial and rung runs, the best so far). */
    @Override
    public SuccessiveHalving listener(SearchListener l) {
        this.listener = l == null ? SearchListener.NONE : l;
        return this;
    }

    /** The rungs for {@code n} configurations. */
    public List<Rung> plan(int n) {
        List<Rung> out = new ArrayList<>();
        long steps = minSteps;
        for (int i = 0, k = n; k >= 1; i++, k /= eta) {
            out.add(new Rung(i, k, steps));
            if (k < eta || steps > maxSteps / eta) {
                break;
            }
            steps = Math.multiplyExact(steps, eta);
        }
        return out;
    }

    /** Samples the budget from {@code space} and runs the rungs with {@code evaluator}. */
    @Override
    public SearchResult run(SearchSpace space, RungEvaluator evaluator) {
        return run(space.sample(budget, seed), evaluator);
    }

    /** Runs the rungs on given configurations (ids must be distinct). */
    public SearchResult run(List<Trial> configs, RungEvaluator evaluator) {
        if (configs.isEmpty()) {
            throw new IllegalArgumentException("no configurations to search");
        }
        if (configs.stream().map(Trial::id).distinct().count() != configs.size()) {
            throw new IllegalArgumentException("trial ids must be distinct");
        }
        Bracket bracket = new Bracket(0, plan(configs.size()));
        boolean continuing = evaluator.continuesTraining();
        BracketRunner runner = new BracketRunner(evaluator, maximize, listener, 1, bracket.cost(continuing));
        BracketRunner.Outcome o = runner.run(bracket, configs);
        SearchResult res = new SearchResult("successive halving", runner.table(), o.winner(), o.metric(), o.steps(),
                List.of(bracket), runner.spent(), continuing);
        listener.onEnd(res);
        return res;
    }
}
