package org.loralab.lora.search;

/** A search over a {@link SearchSpace} with a {@link RungEvaluator}: {@link SuccessiveHalving} or {@link Hyperband}. */
public interface SearchScheme {
    SearchResult run(SearchSpace space, RungEvaluator evaluator);

    /** Progress events go to {@code listener} (replacing any earlier one). */
    SearchScheme listener(SearchListener listener);
}
