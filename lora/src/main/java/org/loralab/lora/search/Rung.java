package org.loralab.lora.search;

/**
 * One rung of successive halving.
 *
 * @param index 0-based rung number within its bracket
 * @param trials how many configurations run in it
 * @param steps the step budget each of them has had when it is measured (cumulative over the rungs)
 */
public record Rung(int index, int trials, long steps) {
    /** Steps of this rung when every trial is trained from scratch: trials · steps. */
    public long cost() {
        return trials * steps;
    }
}
