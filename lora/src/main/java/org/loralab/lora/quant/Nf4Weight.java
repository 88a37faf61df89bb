package org.loralab.lora.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A weight in bitsandbytes 4-bit storage (spec §13.2-13.3): the row-major values quantised in blocks of
 * {@code blockSize} against {@link Nf4#CODE} (or, made with {@link #quantize(float[], int[], QuantOptions, QuantCode)},
 * {@link Fp4#CODE}), packed two per byte high nibble first, with one fp32 absmax per block, or, with double
 * quantisation, the absmax values themselves 8-bit quantised.
 */
public final class Nf4Weight implements QuantizedWeight {
    private final int[] shape;
    private final int blockSize;
    private final byte[] packed;
    private final float[] absmax; // null when double-quantised
    private final DoubleQuantizedAbsmax nested; // null without double quantisation
    private final QuantCode code;

    private Nf4Weight(int[] shape, int blockSize, byte[] packed, float[] absmax, DoubleQuantizedAbsmax nested) {
        this(shape, blockSize, packed, absmax, nested, Nf4.CODE);
    }

    private Nf4Weight(int[] shape, int blockSize, byte[] packed, float[] absmax, DoubleQuantizedAbsmax nested,
            QuantCode code) {
        this.code = code;
        this.shape = shape;
        this.blockSize = blockSize;
        this.packed = packed;
        this.absmax = absmax;
        this.nested = nested;
    }

    public static Nf4Weight quantize(float[] values, int[] shape, QuantOptions options) {
        return quantize(values, shape, options, Nf4.CODE);
    }

    /** Quantises against another 16-value code ({@link Fp4#CODE}). */
    public static Nf4Weight quantize(float[] values, int[] shape, QuantOptions options, QuantCode code) {
        if (code.size() != 16) {
            throw new IllegalArgumentException("a 4-bit code has 16 values; " + code.name() + " has " + code.size());
        }
        int n = Shapes.checkedNumel(values, shape);
        Blockwise.Result r = Blockwise.quantize(values, code, options.blockSize());
        byte[] packed = NibblePacking.pack(r.codes());
        assert packed.length == (n + 1) / 2;
        if (options.doubleQuant()) {
            DoubleQuantizedAbsmax dq = DoubleQuantizedAbsmax.quantize(r.absmax(), options.nestedBlockSize());
            return new Nf4Weight(shape.clone(), options.blockSize(), packed, null, dq, code);
        }
        return new Nf4Weight(shape.clone(), options.blockSize(), packed, r.absmax(), null, code);
    }

    /**
     * Rebuilds stored NF4 state (e.g. read from a checkpoint): {@code absmax} fp32 per block, or
     * {@code nested} for double quantisation (exactly one of them non-null).
     */
    public static Nf4Weight of(int[] shape, int blockSize, byte[] packed, float[] absmax, DoubleQuantizedAbsmax nested) {
        QuantOptions.checkBlockSize(blockSize, "block size");
        long n = Shapes.numel(shape);
        if (packed.length != (n + 1) / 2) {
            throw new IllegalArgumentException("NF4 weight of " + n + " values needs " + (n + 1) / 2
                    + " packed bytes, got " + packed.length);
        }
        if ((absmax == null) == (nested == null)) {
            throw new IllegalArgumentException("give either fp32 absmax or the double-quantised state, not both or neither");
        }
        int blocks = Blockwise.blockCount(n, blockSize);
        int have = absmax != null ? absmax.length : nested.count();
        if (have != blocks) {
            throw new IllegalArgumentException(n + " values in blocks of " + blockSize + " need " + blocks
                    + " block constants, got " + have);
        }
        return new Nf4Weight(shape.clone(), blockSize, packed.clone(), absmax == null ? null : absmax.clone(), nested);
    }

    /** Quantises an fp32 NDArray (any shape; values taken row-major). */
    public static Nf4Weight quantize(NDArray weight, QuantOptions options) {
        return quantize(weight.toFloatArray(), Shapes.toIntShape(weight.getShape()), options);
    }

    /** The options this weight was stored with. */
    public QuantOptions options() {
        return nested == null
                ? new QuantOptions(blockSize, false, DoubleQuantizedAbsmax.DEFAULT_NESTED_BLOCK_SIZE)
                : new QuantOptions(blockSize, true, nested.nestedBlockSize());
    }

    @Override
    public Nf4Weight requantize(float[] values) {
        return quantize(values, shape, options(), code);
    }

    @Override
    public String format() {
        return code.name() + (nested == null ? "" : "+dq");
    }

    /** The 4-bit code the indices refer to ({@link Nf4#CODE} or {@link Fp4#CODE}). */
    public QuantCode code() {
        return code;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int blockSize() {
        return blockSize;
    }

    public boolean isDoubleQuantized() {
        return nested != null;
    }

    /** The packed codes ({@code weight} in the bnb format), {@code (n+1)/2} bytes. */
    public byte[] packed() {
        return packed.clone();
    }

    /** One 4-bit code index per value, unpacked. */
    public byte[] codes() {
        return NibblePacking.unpack(packed, (int) numel());
    }

    /** The per-block constants used for dequantisation (restored from the 8-bit form when double-quantised). */
    public float[] blockAbsmax() {
        return nested == null ? absmax.clone() : nested.restore();
    }

    /** The double-quantisation state, or null without double quantisation. */
    public DoubleQuantizedAbsmax doubleQuantState() {
        return nested;
    }

    @Override
    public float[] dequantize() {
        float[] constants = nested == null ? absmax : nested.restore();
        return Blockwise.dequantize(codes(), constants, code, blockSize);
    }

    /**
     * The dequantised weight computed by the engine on {@code manager}'s device: the packed bytes are uploaded
     * as they are (n/2 bytes), each byte looks up its two code values in a 256x2 table (an embedding gather), and
     * each block is scaled by its constant. Bit for bit {@link #dequantize()} (one fp32 product per value).
     * Falls back to the host path when n is odd or not a multiple of the block size.
     */
    @Override
    public NDArray dequantize(NDManager manager) {
        long n = numel();
        if (n % 2 != 0 || n % blockSize != 0) {
            return QuantizedWeight.super.dequantize(manager);
        }
        float[] constants = nested == null ? absmax : nested.restore();
        try (NDManager scratch = manager.newSubManager()) {
            NDArray bytes = scratch.create(ByteBuffer.wrap(packed), new Shape(packed.length), DataType.UINT8)
                    .toType(DataType.INT32, false);
            NDArray pairs = Embedding.embedding(bytes, scratch.create(byteToCodes(code), new Shape(256, 2)),
                    SparseFormat.DENSE).head();
            NDArray scales = scratch.create(constants, new Shape(constants.length, 1));
            NDArray w = pairs.reshape(constants.length, blockSize).mul(scales).reshape(Shapes.toShape(shape));
            w.attach(manager);
            return w;
        }
    }

    /** Row b: the code values of byte b's high and low nibble. */
    private static float[] byteToCodes(QuantCode code) {
        float[] t = new float[512];
        for (int b = 0; b < 256; b++) {
            t[2 * b] = code.value(b >>> 4);
            t[2 * b + 1] = code.value(b & 0x0F);
        }
        return t;
    }

    @Override
    public long storedBytes() {
        return memoryReport().storedBytes();
    }

    @Override
    public MemoryReport memoryReport() {
        Map<String, Long> parts = new LinkedHashMap<>();
        parts.put("packed codes", (long) packed.length);
        if (nested == null) {
            parts.put("absmax fp32", 4L * absmax.length);
        } else {
            parts.put("absmax uint8", (long) nested.count());
            parts.put("absmax2 fp32", 4L * nested.absmax2().length);
            parts.put("offset fp32", 4L);
            parts.put("nested quant_map", DynamicMap.SIGNED_8BIT.storedBytes());
        }
        parts.put("quant_map", code.storedBytes());
        return new MemoryReport(format(), numel(), parts);
    }
}
