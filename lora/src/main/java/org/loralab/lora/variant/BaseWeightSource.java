package org.loralab.lora.variant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Holds a base layer's weight in a form other than a dense Parameter (QLoRA: quantised storage), installed with
 * {@link BaseLayer#setWeightSource}. While installed, the base op computes with a transient dense copy made by
 * {@link #materialize} for each forward, reads of W go through {@link #values()} or
 * {@link BaseLayer#denseWeight} and writes (merge, residual inits) through {@link #write} or
 * {@link BaseLayer#writeWeight}, which may round them (re-quantise).
 */
public interface BaseWeightSource {
    /**
     * A new dense fp32 array of W in the weight Parameter's shape, on {@code manager}'s device and owned by it:
     * the caller closes it (or its manager) as soon as the op that needs it has run.
     */
    NDArray materialize(NDManager manager);

    /** W row-major, fp32 (the values {@link #materialize} gives). */
    float[] values();

    /** Replaces W with row-major {@code values}; the source may round them (e.g. re-quantise). */
    void write(float[] values);

    /** Bytes this source keeps in memory for W (codes and constants), not counting any transient copy. */
    long residentBytes();
}
