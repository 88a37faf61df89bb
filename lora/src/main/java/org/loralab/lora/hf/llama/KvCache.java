package org.loralab.lora.hf.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The keys and values every layer has seen so far, [B, kvHeads, S, headDim] each, grown by concatenation one
 * forward at a time, plus which of those S positions are real tokens (1) or padding (0) and how many real tokens
 * each row has (the next token's position). Owns its arrays: {@link #close()} frees them.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private long[][] keyMask;
    private long[] realTokens;

    public KvCache(NDManager parent, int layers, int batch) {
        manager = parent.newSubManager();
        keys = new NDArray[layers];
        values = new NDArray[layers];
        keyMask = new long[batch][0];
        realTokens = new long[batch];
    }

    /** Positions cached so far (including padding). */
    public int length() {
        return keyMask[0].length;
    }

    public int batch() {
        return keyMask.length;
    }

    NDArray keys(int layer) {
        return keys[layer];
    }

    NDArray values(int layer) {
        return values[layer];
    }

    long[][] keyMask() {
        return keyMask;
    }

    long[] realTokens() {
        return realTokens;
    }

    /** Replaces layer {@code layer}'s entries with {@code k, v} (which include the old ones) and frees the old. */
    void update(int layer, NDArray k, NDArray v) {
        NDArray oldK = keys[layer];
        NDArray oldV = values[layer];
        k.attach(manager);
        v.attach(manager);
        keys[layer] = k;
        values[layer] = v;
        if (oldK != null && oldK != k) {
            oldK.close();
        }
        if (oldV != null && oldV != v) {
            oldV.close();
        }
    }

    /** Records the mask of the positions just added (after all layers were updated). */
    void advance(long[][] newMask, long[] newRealTokens) {
        keyMask = newMask;
        realTokens = newRealTokens;
    }

    @Override
    public void close() {
        manager.close();
    }
}
