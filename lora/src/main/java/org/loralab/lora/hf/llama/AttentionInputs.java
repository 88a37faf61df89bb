package org.loralab.lora.hf.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * What every layer needs besides the hidden states, computed once per forward: rotary cos/sin [B,1,T,d] for
 * each token's position and the additive attention mask [B,1,T,S] (causal, and padding keys never attended).
 *
 * <p>Positions follow the attention mask (a row's k-th real token has position k-1; padding takes position
 * 0), as transformers' generate() computes them, so a left-padded row gives the same logits at its real tokens
 * as the unpadded sequence. A query that only sees padding (a padding query in a left-padded row) attends
 * uniformly instead of producing NaN; its output is meaningless and is not meant to be used.
 */
record AttentionInputs(NDArray cos, NDArray sin, NDArray mask, long[][] keyMask, long[] realTokens) {

    /** The mask value of a key that must not be attended (finite, so a fully masked row stays finite). */
    static final float MASKED = -1e9f;

    /**
     * @param newMask   [B][T] 1 for real tokens of this forward, 0 for padding
     * @param pastMask  [B][past] the cache's mask (past = 0 without a cache)
     * @param pastReal  real tokens already seen per row
     */
    static AttentionInputs of(NDManager m, LlamaConfig c, float[] invFreq, long[][] newMask, long[][] pastMask,
            long[] pastReal, DataType dtype) {
        int b = newMask.length;
        int t = newMask[0].length;
        int past = pastMask[0].length;
        int s = past + t;
        if (c.slidingWindow() > 0 && s > c.slidingWindow()) {
            throw new IllegalArgumentException("sequence of " + s + " tokens is longer than the model's sliding_window "
                    + c.slidingWindow() + "; sliding-window attention is not implemented: use at most "
                    + c.slidingWindow() + " tokens");
        }
        float[] positions = new float[b * t];
        long[][] keyMask = new long[b][s];
        long[] real = new long[b];
        for (int r = 0; r < b; r++) {
            if (newMask[r].length != t) {
                throw new IllegalArgumentException("attention mask rows differ in length; pad every row to " + t);
            }
            System.arraycopy(pastMask[r], 0, keyMask[r], 0, past);
            long seen = pastReal[r];
            for (int i = 0; i < t; i++) {
                seen += newMask[r][i] != 0 ? 1 : 0;
                keyMask[r][past + i] = newMask[r][i] != 0 ? 1 : 0;
                positions[r * t + i] = Math.max(seen - 1, 0);
            }
            real[r] = seen;
        }
        float[] mask = new float[b * t * s];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                int row = (r * t + i) * s;
                for (int j = 0; j < s; j++) {
                    mask[row + j] = j <= past + i && keyMask[r][j] != 0 ? 0f : MASKED;
                }
            }
        }
        NDArray pos = m.create(positions, new Shape(b, t, 1));
        NDArray freqs = pos.mul(m.create(invFreq, new Shape(1, 1, invFreq.length)));
        NDArray angles = NDArrays.concat(new NDList(freqs, freqs), 2).expandDims(1);
        NDArray cos = angles.cos();
        NDArray sin = angles.sin();
        if (dtype != DataType.FLOAT32) {
            cos = cos.toType(dtype, false);
            sin = sin.toType(dtype, false);
        }
        return new AttentionInputs(cos, sin, m.create(mask, new Shape(b, 1, t, s)), keyMask, real);
    }

    /** All-ones mask of {@code b} rows of {@code t} tokens. */
    static long[][] ones(int b, int t) {
        long[][] out = new long[b][t];
        for (long[] row : out) {
            java.util.Arrays.fill(row, 1);
        }
        return out;
    }
}
