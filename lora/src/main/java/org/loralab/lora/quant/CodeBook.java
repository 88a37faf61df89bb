package org.loralab.lora.quant;

import java.util.Arrays;

/**
 * A sorted quantisation code book in [-1, 1] with nearest-value lookup, as bitsandbytes uses it for NF4 and for
 * the 8-bit dynamic map. A value maps to the code whose midpoint interval contains it; a value exactly on a
 * midpoint takes the LOWER index (spec §13.2 step 4: {@code bucketize(u, midpoints, right=False)}; the CUDA
 * NF4 kernel compares with {@code >} against the same thresholds).
 */
public final class CodeBook implements QuantCode {
    private final String name;
    private final float[] values;
    private final float[] midpoints;

    CodeBook(String name, float[] values) {
        for (int i = 1; i < values.length; i++) {
            if (!(values[i - 1] < values[i])) {
                throw new IllegalArgumentException("code book " + name + " must be strictly increasing at index " + i);
            }
        }
        this.name = name;
        this.values = values.clone();
        this.midpoints = new float[values.length - 1];
        for (int i = 0; i < midpoints.length; i++) {
            midpoints[i] = (values[i] + values[i + 1]) * 0.5f; // fp32, as torch computes it
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public float value(int index) {
        return values[index];
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    public float[] midpoints() {
        return midpoints.clone();
    }

    /** Index of the nearest code for a normalised value u in [-1, 1]; ties go to the lower index. */
    @Override
    public int nearest(float u) {
        int lo = 0;
        int hi = midpoints.length; // answer in [0, midpoints.length]: first i with u <= midpoints[i]
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (u <= midpoints[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Bytes a serialized copy of this table takes ({@code weight.quant_map}: fp32 values). */
    @Override
    public long storedBytes() {
        return 4L * values.length;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(values);
    }
}
