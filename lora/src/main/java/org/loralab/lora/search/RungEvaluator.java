package org.loralab.lora.search;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Trains every trial of one rung for {@code steps} optimiser steps and returns its validation metric, in order.
 * {@link FitRungEvaluator} does it with the train package's Sweep; tests pass a cheap deterministic function.
 */
@FunctionalInterface
public interface RungEvaluator {
    /** Metric per trial, same order and length as {@code trials} (NaN for a run that produced none). */
    List<Double> evaluate(List<Trial> trials, long steps);

    /** An evaluator from a per-trial function {@code (trial, steps) -> metric}. */
    static RungEvaluator perTrial(BiFunction<Trial, Long, Double> f) {
        return (trials, steps) -> {
            List<Double> out = new ArrayList<>(trials.size());
            for (Trial t : trials) {
                out.add(f.apply(t, steps));
            }
            return out;
        };
    }
}
