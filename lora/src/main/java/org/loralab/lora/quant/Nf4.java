package org.loralab.lora.quant;

/** The NF4 code book, bit-exact to bitsandbytes {@code get_4bit_type("nf4")} (spec §13.1). */
public final class Nf4 {
    /**
     * Hard-coded as bitsandbytes does; recomputing from {@code norm.ppf} in float64 differs in the last bits
     * (index 1 would come out as -0.69619304).
     */
    static final float[] VALUES = {
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
        0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
        0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
    };

    public static final CodeBook CODE = new CodeBook("nf4", VALUES);

    /** Index of the exact zero (what an all-zero block quantises to). */
    public static final int ZERO_INDEX = 7;

    private Nf4() {
    }
}
