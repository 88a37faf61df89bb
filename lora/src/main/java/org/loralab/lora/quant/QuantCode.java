package org.loralab.lora.quant;

/**
 * A quantisation code: the value of each index, and the index a normalised value {@code u} in [-1, 1] goes to.
 * {@link CodeBook} (sorted values, nearest by midpoints: NF4, the 8-bit dynamic map) and {@link Fp4#CODE}
 * (sign bit + magnitude) implement it.
 */
public interface QuantCode {
    String name();

    int size();

    float value(int index);

    /** The values by index. */
    float[] values();

    /** The index {@code u} is stored as. */
    int nearest(float u);

    /** Bytes a serialized copy of the table takes (fp32 values). */
    default long storedBytes() {
        return 4L * size();
    }
}
