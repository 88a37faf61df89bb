package org.loralab.lora.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A frozen weight held in quantised storage (NF4 with or without double quantisation, or int8 row-wise).
 * Values are row-major over {@link #shape()}; {@link #dequantize()} gives the fp32 weight the forward pass uses.
 */
public interface QuantizedWeight {
    /** Storage format, e.g. {@code "nf4"}, {@code "nf4+dq"}, {@code "int8-rowwise"}. */
    String format();

    int[] shape();

    default long numel() {
        long n = 1;
        for (int d : shape()) {
            n *= d;
        }
        return n;
    }

    /** The dequantised weight, row-major, fp32. */
    float[] dequantize();

    /** The dequantised weight as an fp32 NDArray of {@link #shape()}, owned by {@code manager}. */
    default NDArray dequantize(NDManager manager) {
        int[] s = shape();
        long[] dims = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            dims[i] = s[i];
        }
        return manager.create(dequantize(), new Shape(dims));
    }

    /** Quantises new values of the same shape with the same format and options (used by merge/unmerge). */
    QuantizedWeight requantize(float[] values);

    /** Bytes of everything a serialized copy holds: codes, constants and code tables. */
    long storedBytes();

    /** Stored bytes against fp32, with the breakdown. */
    MemoryReport memoryReport();
}
