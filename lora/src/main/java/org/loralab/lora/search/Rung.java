package org.loralab.lora.search;

/**
 * One rung of successive halving.
 *
 * @param index 0-based rung number
 * @param trials how many configurations run in it
 * @param steps optimiser steps each of them gets
 */
public record Rung(int index, int trials, long steps) {
    /** Steps spent in this rung: trials · steps. */
    public long cost() {
        return trials * steps;
    }
}
