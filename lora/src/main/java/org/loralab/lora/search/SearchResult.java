package org.loralab.lora.search;

import java.util.List;
import org.loralab.lora.config.AdapterConfig;
import tech.tablesaw.api.Table;

/**
 * What a search returns.
 *
 * @param trials one row per (trial, rung) evaluation: trial, r, alpha, lr, rung, steps, metric, promoted
 * @param chosen the configuration with the best metric in the last rung
 * @param chosenMetric its metric there
 * @param plan the rungs that were run
 * @param totalSteps optimiser steps spent in all rungs together
 */
public record SearchResult(Table trials, Trial chosen, double chosenMetric, List<Rung> plan, long totalSteps) {
    public SearchResult {
        plan = List.copyOf(plan);
    }

    /** {@code template} with the chosen r and alpha (train it with {@link #chosen()}{@code .lr()}). */
    public AdapterConfig chosenConfig(AdapterConfig template) {
        return template.toBuilder().r(chosen.r()).alpha(chosen.alpha()).build();
    }

    @Override
    public String toString() {
        return String.format("chosen r=%d alpha=%s lr=%.3g (metric %.4f) after %d rungs, %d steps in all",
                chosen.r(), chosen.alpha(), chosen.lr(), chosenMetric, plan.size(), totalSteps);
    }
}
