package org.loralab.lora.quant;

/**
 * Options for 4-bit storage. Defaults follow the QLoRA recipe (spec §13.4): NF4, blocks of 64, double
 * quantisation on with nested blocks of 256. (transformers' {@code BitsAndBytesConfig} defaults to no double
 * quantisation; use {@link #withoutDoubleQuant()} for that.)
 */
public record QuantOptions(int blockSize, boolean doubleQuant, int nestedBlockSize) {
    public static final int DEFAULT_BLOCK_SIZE = 64;

    public QuantOptions {
        checkBlockSize(blockSize, "block size");
        if (doubleQuant) {
            checkBlockSize(nestedBlockSize, "nested block size");
        }
    }

    public static QuantOptions qlora() {
        return new QuantOptions(DEFAULT_BLOCK_SIZE, true, DoubleQuantizedAbsmax.DEFAULT_NESTED_BLOCK_SIZE);
    }

    /** Blocks of 64, fp32 constants: what LoftQ's 4-bit path uses ({@code compress_statistics=False}). */
    public static QuantOptions nf4() {
        return new QuantOptions(DEFAULT_BLOCK_SIZE, false, DoubleQuantizedAbsmax.DEFAULT_NESTED_BLOCK_SIZE);
    }

    public QuantOptions withBlockSize(int size) {
        return new QuantOptions(size, doubleQuant, nestedBlockSize);
    }

    public QuantOptions withoutDoubleQuant() {
        return new QuantOptions(blockSize, false, nestedBlockSize);
    }

    public QuantOptions withDoubleQuant() {
        return new QuantOptions(blockSize, true, nestedBlockSize);
    }

    /** bitsandbytes accepts the powers of two 32..4096 as block sizes. */
    static void checkBlockSize(int size, String what) {
        if (size < 32 || size > 4096 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException(what + " must be a power of two in 32..4096, got " + size);
        }
    }
}
