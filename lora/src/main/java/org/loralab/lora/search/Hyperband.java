package org.loralab.lora.search;

import java.util.ArrayList;
import java.util.List;

/**
 * Hyperband (Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, JMLR 2018): several brackets of
 * {@link SuccessiveHalving}, each trading the number of configurations against the steps each gets, so a search does
 * not have to guess how early a good configuration shows.
 *
 * <p>With {@code R = maxSteps / minSteps}, {@code s_max = floor(log_eta R)} and {@code B = (s_max + 1) R}, bracket
 * {@code s = s_max, ..., 0} samples {@code n = ceil(B / R · eta^s / (s + 1))} configurations and runs {@code s + 1}
 * rungs: rung {@code i} trains {@code floor(n / eta^i)} of them to {@code maxSteps · eta^(i − s)} steps. The first
 * bracket is the most aggressive successive halving (many trials, from {@code minSteps}); the last trains a few
 * trials for {@code maxSteps} each, without elimination. Every bracket's last rung is at {@code maxSteps}, so the
 * bracket winners compare at the same budget; the best of them is chosen. For R = 81, eta = 3 the brackets start
 * with 81, 34, 15, 8 and 5 trials (the paper's Table 1).
 *
 * <pre>{@code
 * SearchResult res = new Hyperband(10, 270, 3, 7L).run(space, evaluator);   // brackets of 27/12/6/4 trials
 * }</pre>
 */
public final class Hyperband implements SearchScheme {
    private final long minSteps;
    private final long maxSteps;
    private final int eta;
    private final long seed;
    private boolean maximize = true;
    private SearchListener listener = SearchListener.NONE;

    /**
     * @param minSteps the smallest budget (first rung of the first bracket), >= 1
     * @param maxSteps the largest budget (every bracket's last rung), >= minSteps
     * @param eta reduction factor, >= 2
     * @param seed sampling seed (bracket b samples with seed + b)
     */
    public Hyperband(long minSteps, long maxSteps, int eta, long seed) {
        if (minSteps < 1) {
            throw new IllegalArgumentException("minSteps must be >= 1, got " + minSteps);
        }
        if (maxSteps < minSteps) {
            throw new IllegalArgumentException("maxSteps must be >= minSteps (" + minSteps + "), got " + maxSteps
                    + ": raise maxSteps or lower minSteps");
        }
        SuccessiveHalving.checkEta(eta);
        this.minSteps = minSteps;
        this.maxSteps = maxSteps;
        this.eta = eta;
        this.seed = seed;
    }

    public Hyperband maximize(boolean on) {
        this.maximize = on;
        return this;
    }

    @Override
    public Hyperband listener(SearchListener l) {
        this.listener = l == null ? SearchListener.NONE : l;
        return this;
    }

    /** s_max: the largest s with minSteps · eta^s <= maxSteps. */
    public int sMax() {
        int s = 0;
        for (long steps = minSteps; steps <= maxSteps / eta; steps *= eta) {
            s++;
        }
        return s;
    }

    /** The brackets as planned (before sampling; a finite search space may yield fewer trials). */
    public List<Bracket> plan() {
        int sMax = sMax();
        List<Bracket> out = new ArrayList<>();
        for (int s = sMax; s >= 0; s--) {
            out.add(bracket(sMax - s, s, initialTrials(sMax, s)));
        }
        return out;
    }

    /** n = ceil((s_max + 1) · eta^s / (s + 1)), in exact integer arithmetic. */
    int initialTrials(int sMax, int s) {
        long num = Math.multiplyExact((long) sMax + 1, pow(s));
        return Math.toIntExact((num + s) / (s + 1));
    }

    private Bracket bracket(int index, int s, int n) {
        List<Rung> rungs = new ArrayList<>();
        for (int i = 0; i <= s; i++) {
            long steps = Math.max(1, Math.round(maxSteps / (double) pow(s - i)));
            rungs.add(new Rung(i, (int) Math.max(1, n / pow(i)), steps));
        }
        return new Bracket(index, rungs);
    }

    private long pow(int k) {
        long p = 1;
        for (int i = 0; i < k; i++) {
            p = Math.multiplyExact(p, eta);
        }
        return p;
    }

    /** Samples each bracket's trials from {@code space} (ids numbered across brackets) and runs the brackets. */
    @Override
    public SearchResult run(SearchSpace space, RungEvaluator evaluator) {
        int sMax = sMax();
        List<Bracket> brackets = new ArrayList<>();
        List<List<Trial>> trials = new ArrayList<>();
        int nextId = 0;
        for (Bracket planned : plan()) {
            List<Trial> drawn = space.sample(planned.trials(), seed + planned.index());
            List<Trial> renumbered = new ArrayList<>();
            for (Trial t : drawn) {
                renumbered.add(new Trial(nextId++, t.r(), t.alpha(), t.lr()));
            }
            trials.add(renumbered);
            brackets.add(bracket(planned.index(), sMax - planned.index(), renumbered.size()));
        }
        boolean continuing = evaluator.continuesTraining();
        long planned = 0;
        for (Bracket b : brackets) {
            planned += b.cost(continuing);
        }
        BracketRunner runner = new BracketRunner(evaluator, maximize, listener, brackets.size(), planned);
        List<BracketRunner.Outcome> winners = new ArrayList<>();
        for (int b = 0; b < brackets.size(); b++) {
            winners.add(runner.run(brackets.get(b), trials.get(b)));
        }
        BracketRunner.Outcome chosen = winners.get(0);
        for (BracketRunner.Outcome o : winners) {
            if (runner.better(o.metric(), o.winner(), chosen.metric(), chosen.winner())) {
                chosen = o;
            }
        }
        for (BracketRunner.Outcome o : winners) {
            if (o != chosen) {
                evaluator.release(o.winner());
            }
        }
        SearchResult res = new SearchResult("hyperband", runner.table(), chosen.winner(), chosen.metric(),
                chosen.steps(), brackets, runner.spent(), continuing);
        listener.onEnd(res);
        return res;
    }
}
