package org.loralab.lora.quant;

/**
 * Double quantisation of the NF4 block constants ({@code compress_statistics=True}, spec §13.3):
 * {@code offset = mean(absmax)}; {@code absmax - offset} is quantised blockwise (blocks of 256 by default) with the
 * signed 8-bit {@link DynamicMap}, keeping one fp32 {@code absmax2} per nested block. Restoring is
 * {@code code8[q]·absmax2 + offset} in fp32.
 *
 * <p>The mean is accumulated in double and rounded once to fp32 (torch's fp32 reduction order is not
 * reproducible across machines; the difference is at most an ulp of the offset).
 */
public final class DoubleQuantizedAbsmax {
    public static final int DEFAULT_NESTED_BLOCK_SIZE = 256;

    private final float offset;
    private final byte[] qabsmax;
    private final float[] absmax2;
    private final int nestedBlockSize;

    private DoubleQuantizedAbsmax(float offset, byte[] qabsmax, float[] absmax2, int nestedBlockSize) {
        this.offset = offset;
        this.qabsmax = qabsmax;
        this.absmax2 = absmax2;
        this.nestedBlockSize = nestedBlockSize;
    }

    public static DoubleQuantizedAbsmax quantize(float[] absmax, int nestedBlockSize) {
        QuantOptions.checkBlockSize(nestedBlockSize, "nested block size");
        if (absmax.length == 0) {
            throw new IllegalArgumentException("no block constants to double-quantise");
        }
        double sum = 0;
        for (float a : absmax) {
            sum += a;
        }
        float offset = (float) (sum / absmax.length);
        float[] centred = new float[absmax.length];
        for (int i = 0; i < absmax.length; i++) {
            centred[i] = absmax[i] - offset;
        }
        Blockwise.Result r = Blockwise.quantize(centred, DynamicMap.SIGNED_8BIT, nestedBlockSize);
        return new DoubleQuantizedAbsmax(offset, r.codes(), r.absmax(), nestedBlockSize);
    }

    /** Rebuilds stored state: uint8 indices into the dynamic map, fp32 absmax2 per nested block, fp32 offset. */
    public static DoubleQuantizedAbsmax of(float offset, byte[] qabsmax, float[] absmax2, int nestedBlockSize) {
        QuantOptions.checkBlockSize(nestedBlockSize, "nested block size");
        int blocks = Blockwise.blockCount(qabsmax.length, nestedBlockSize);
        if (qabsmax.length == 0 || absmax2.length != blocks) {
            throw new IllegalArgumentException(qabsmax.length + " quantised constants in nested blocks of "
                    + nestedBlockSize + " need " + blocks + " absmax2 values, got " + absmax2.length);
        }
        return new DoubleQuantizedAbsmax(offset, qabsmax.clone(), absmax2.clone(), nestedBlockSize);
    }

    /** The restored first-level constants, {@code code8[q]·absmax2 + offset}. */
    public float[] restore() {
        float[] out = Blockwise.dequantize(qabsmax, absmax2, DynamicMap.SIGNED_8BIT, nestedBlockSize);
        for (int i = 0; i < out.length; i++) {
            out[i] += offset;
        }
        return out;
    }

    public float offset() {
        return offset;
    }

    /** Unsigned 8-bit indices into {@link DynamicMap#SIGNED_8BIT}, one per first-level block. */
    public byte[] qabsmax() {
        return qabsmax.clone();
    }

    public float[] absmax2() {
        return absmax2.clone();
    }

    public int nestedBlockSize() {
        return nestedBlockSize;
    }

    public int count() {
        return qabsmax.length;
    }

    /** uint8 indices + fp32 absmax2 + fp32 offset + the 256-entry fp32 nested quant map. */
    public long storedBytes() {
        return qabsmax.length + 4L * absmax2.length + 4L + DynamicMap.SIGNED_8BIT.storedBytes();
    }
}
