package org.loralab.lora.io.safetensors;

/**
 * Exact widening of 16-bit floats to float32 bits: every F16 and BF16 value (subnormals, infinities, NaN payloads)
 * has one float32 value, so no rounding is involved. Results match torch's {@code .float()} bit for bit.
 */
public final class HalfFloats {
    private HalfFloats() {}

    /** IEEE 754 binary16 bits to float32 bits. */
    public static int f16ToF32Bits(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            // a NaN keeps its payload and comes out quiet, as F16C's vcvtph2ps (and so torch) converts it
            return mant == 0 ? sign | 0x7f800000 : sign | 0x7fc00000 | (mant << 13);
        }
        if (exp == 0) {
            if (mant == 0) {
                return sign;
            }
            // subnormal: shift the leading 1 into the implicit bit, lowering the exponent once per shift
            int e = 1;
            while ((mant & 0x400) == 0) {
                mant <<= 1;
                e--;
            }
            return sign | ((e + 127 - 15) << 23) | ((mant & 0x3ff) << 13);
        }
        return sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }

    /** bfloat16 bits (the upper half of a float32) to float32 bits. */
    public static int bf16ToF32Bits(short bf) {
        return (bf & 0xffff) << 16;
    }

    public static float f16ToFloat(short half) {
        return Float.intBitsToFloat(f16ToF32Bits(half));
    }

    public static float bf16ToFloat(short bf) {
        return Float.intBitsToFloat(bf16ToF32Bits(bf));
    }
}
