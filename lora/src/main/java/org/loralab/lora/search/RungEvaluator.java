package org.loralab.lora.search;

/**
 * Trains one trial up to a rung's step budget and returns its validation metric. {@link FitRungEvaluator} does it
 * with the train package (continuing each trial's training across rungs, or retraining from scratch); tests pass a
 * cheap deterministic function.
 */
@FunctionalInterface
public interface RungEvaluator {
    /**
     * The metric of {@code trial} after {@code steps} optimiser steps in all (NaN for a run that produced none). A
     * continuing evaluator trains only the steps the trial has not had yet; a retraining one trains all of them.
     */
    double evaluate(Trial trial, long steps);

    /**
     * Whether a promoted trial continues from the steps it already had (cost of a rung: its new steps only) or is
     * retrained from scratch (cost: the full budget again). Searches use it to count the steps they spend.
     */
    default boolean continuesTraining() {
        return false;
    }

    /** The search is done with {@code trial} (eliminated): free what the evaluator holds for it. */
    default void release(Trial trial) {}
}
