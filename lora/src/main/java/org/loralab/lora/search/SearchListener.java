package org.loralab.lora.search;

/** Search events, on the searching thread (a notebook's progress view implements it). */
public interface SearchListener {
    /** A trial is about to train towards its rung's budget. */
    default void onTrialStart(SearchProgress progress) {}

    /** It has been measured. */
    default void onTrialEnd(SearchProgress progress, double metric) {}

    /** The search has chosen. */
    default void onEnd(SearchResult result) {}

    SearchListener NONE = new SearchListener() {};
}
