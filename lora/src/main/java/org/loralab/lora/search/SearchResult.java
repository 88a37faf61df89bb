package org.loralab.lora.search;

import java.util.ArrayList;
import java.util.List;
import org.loralab.lora.config.AdapterConfig;
import tech.tablesaw.api.Table;

/**
 * What a search returns.
 *
 * @param scheme "successive halving" or "hyperband"
 * @param trials one row per (trial, rung) evaluation: bracket, rung, trial, r, alpha, lr, steps (the rung's budget),
 *     trained (steps trained for this row: the new ones when training continues), metric, promoted
 * @param chosen the configuration with the best metric in the last rung (of all brackets' last rungs)
 * @param chosenMetric its metric there
 * @param chosenSteps the budget it was measured at
 * @param brackets the brackets that were run (one for successive halving)
 * @param totalSteps optimiser steps trained in all, equal to the sum of the brackets' {@link Bracket#cost}
 * @param continued whether promoted trials continued training (else every rung retrained them from scratch)
 */
public record SearchResult(String scheme, Table trials, Trial chosen, double chosenMetric, long chosenSteps,
        List<Bracket> brackets, long totalSteps, boolean continued) {
    public SearchResult {
        brackets = List.copyOf(brackets);
    }

    /** The rungs of every bracket, in order. */
    public List<Rung> plan() {
        List<Rung> out = new ArrayList<>();
        brackets.forEach(b -> out.addAll(b.rungs()));
        return out;
    }

    /** {@code template} with the chosen r and alpha (train it with {@link #chosen()}{@code .lr()}). */
    public AdapterConfig chosenConfig(AdapterConfig template) {
        return template.toBuilder().r(chosen.r()).alpha(chosen.alpha()).build();
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "%s chose #%d r=%d alpha=%s lr=%.3g (metric %.4f at %d steps); %d trials, %d bracket(s), %d rungs, "
                        + "%d steps trained (%s)", scheme, chosen.id(), chosen.r(),
                SearchProgress.trimmed(chosen.alpha()), chosen.lr(), chosenMetric, chosenSteps,
                (int) trials.intColumn("trial").unique().size(), brackets.size(), plan().size(), totalSteps,
                continued ? "promoted trials continue" : "each rung retrains from scratch");
    }
}
