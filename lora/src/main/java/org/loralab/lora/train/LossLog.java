package org.loralab.lora.train;

import java.util.Arrays;

/**
 * The loss of every step, in an array that grows as steps are made (a run of a billion planned steps must not
 * allocate for all of them up front).
 */
final class LossLog {
    /** The most steps one fit can plan: its report keeps every step's loss in one array. */
    static final long MAX_STEPS = Integer.MAX_VALUE - 8;

    private double[] values = new double[1024];
    private int size;

    void add(double loss) {
        if (size == values.length) {
            values = Arrays.copyOf(values, (int) Math.min(MAX_STEPS, (long) size * 2));
        }
        values[size++] = loss;
    }

    double last() {
        return values[size - 1];
    }

    double[] toArray() {
        return Arrays.copyOf(values, size);
    }

    static void checkPlanned(long total) {
        if (total > MAX_STEPS) {
            throw new IllegalArgumentException("this fit would make " + total + " steps; at most " + MAX_STEPS
                    + " steps fit in one run: lower epochs or steps");
        }
    }
}
