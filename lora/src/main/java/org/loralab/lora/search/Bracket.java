package org.loralab.lora.search;

import java.util.List;

/**
 * One run of successive halving: its rungs, from many trials with a small step budget to few with a large one.
 * {@link SuccessiveHalving} runs one bracket; {@link Hyperband} several, each trading trials against steps.
 *
 * @param index 0-based bracket number
 * @param rungs its rungs, in order
 */
public record Bracket(int index, List<Rung> rungs) {
    public Bracket {
        rungs = List.copyOf(rungs);
        if (rungs.isEmpty()) {
            throw new IllegalArgumentException("a bracket needs at least one rung");
        }
    }

    /** Trials sampled for it (those of its first rung). */
    public int trials() {
        return rungs.get(0).trials();
    }

    /**
     * Optimiser steps the bracket trains: with continuation {@code Σ_i n_i · (r_i − r_{i−1})} (each promoted trial
     * trains only its new steps), without {@code Σ_i n_i · r_i} (every rung retrains from scratch).
     */
    public long cost(boolean continuing) {
        long total = 0;
        long previous = 0;
        for (Rung r : rungs) {
            total = Math.addExact(total, Math.multiplyExact((long) r.trials(), r.steps() - (continuing ? previous : 0)));
            previous = r.steps();
        }
        return total;
    }
}
