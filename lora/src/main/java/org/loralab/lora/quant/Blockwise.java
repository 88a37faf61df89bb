package org.loralab.lora.quant;

/**
 * Blockwise absmax quantisation against a code book, the step shared by NF4 (4-bit, blocks of 64) and the
 * double quantisation of the NF4 constants (8-bit dynamic map, blocks of 256). Spec §13.2 steps 1-4, §13.3.
 *
 * <p>Each block of {@code blockSize} consecutive values (a short final block gets its own constant) stores
 * {@code absmax = max|x|} in fp32; a value is normalised as {@code u = clamp(x · (1 / max(absmax, 1e-38)), -1, 1)}
 * and mapped to the nearest code. bitsandbytes' kernels multiply by the reciprocal (the spec writes
 * {@code x / absmax}; the two differ by at most 1 ulp of u); the 1e-38 floor makes an all-zero block quantise to
 * the code nearest 0 instead of NaN.
 */
final class Blockwise {
    static final float ABSMAX_FLOOR = 1e-38f;

    private Blockwise() {
    }

    /** Result of {@link #quantize}: one code index per value (unpacked) and one fp32 constant per block. */
    record Result(byte[] codes, float[] absmax) {
    }

    static int blockCount(long n, int blockSize) {
        long blocks = (n + blockSize - 1) / blockSize;
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many blocks (" + blocks + "); use a larger block size");
        }
        return (int) blocks;
    }

    static Result quantize(float[] x, QuantCode code, int blockSize) {
        int n = x.length;
        int blocks = blockCount(n, blockSize);
        byte[] codes = new byte[n];
        float[] absmax = new float[blocks];
        for (int b = 0; b < blocks; b++) {
            int start = b * blockSize;
            int end = Math.min(n, start + blockSize);
            float max = 0f;
            for (int i = start; i < end; i++) {
                float a = Math.abs(x[i]);
                if (!Float.isFinite(a)) {
                    throw new IllegalArgumentException("cannot quantise " + x[i] + " (flat index " + i
                            + "); remove NaN/Inf from the weight first");
                }
                max = Math.max(max, a);
            }
            absmax[b] = max;
            float scale = 1f / Math.max(max, ABSMAX_FLOOR);
            for (int i = start; i < end; i++) {
                float u = Math.max(-1f, Math.min(1f, x[i] * scale));
                codes[i] = (byte) code.nearest(u);
            }
        }
        return new Result(codes, absmax);
    }

    /** {@code out[i] = code[codes[i]] · absmax[i / blockSize]} in fp32. */
    static float[] dequantize(byte[] codes, float[] absmax, QuantCode code, int blockSize) {
        float[] out = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = code.value(codes[i] & 0xFF) * absmax[i / blockSize];
        }
        return out;
    }
}
