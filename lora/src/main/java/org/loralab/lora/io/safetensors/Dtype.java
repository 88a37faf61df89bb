package org.loralab.lora.io.safetensors;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * The dtypes of the safetensors format, in the order of the reference implementation's {@code Dtype} enum: its
 * writer lays tensors out by descending dtype in this order, then by name.
 */
enum Dtype {
    BOOL(1, DataType.BOOLEAN),
    U8(1, DataType.UINT8),
    I8(1, DataType.INT8),
    F8_E5M2(1, null),
    F8_E4M3(1, null),
    I16(2, DataType.INT16),
    U16(2, null),
    F16(2, DataType.FLOAT16),
    BF16(2, null),
    I32(4, DataType.INT32),
    U32(4, null),
    F32(4, DataType.FLOAT32),
    F64(8, DataType.FLOAT64),
    I64(8, DataType.INT64),
    U64(8, null);

    final int size;
    /** The DJL type a tensor of this dtype is created as, or null when it is converted (BF16) or unsupported. */
    final DataType djl;

    Dtype(int size, DataType djl) {
        this.size = size;
        this.djl = djl;
    }

    boolean isFloat() {
        return this == F16 || this == BF16 || this == F32 || this == F64;
    }

    /** The header name, or null when {@code s} is not a safetensors dtype. */
    static Dtype parse(String s) {
        for (Dtype d : values()) {
            if (d.name().equals(s)) {
                return d;
            }
        }
        return null;
    }

    /** The dtype a DJL array of {@code type} is written as; IllegalArgumentException for the others. */
    static Dtype of(DataType type, String tensorName) {
        for (Dtype d : values()) {
            if (d.djl == type) {
                return d;
            }
        }
        throw new IllegalArgumentException("tensor '" + tensorName + "' has type " + type.toString().toLowerCase(Locale.ROOT)
                + ", which safetensors files here cannot hold; convert it to float32 first");
    }
}
