package org.loralab.lora.quant;

/**
 * bitsandbytes' FP4 code ({@code get_4bit_type("fp4")}, {@code bnb_4bit_quant_type="fp4"}): one sign bit (bit 3)
 * and a 3-bit magnitude with 2 exponent bits and 1 mantissa bit, normalised by its largest value 12. Index i holds
 * {@code DATA[i] / 12} in fp32; index 8 is the negative-side zero (bitsandbytes' table lists it as the integer
 * {@code -0}, i.e. +0.0). Quantisation follows the CUDA kernel {@code dQuantizeFP4}: the sign bit is set for
 * {@code u < 0}, the magnitude goes to the nearest code by strict {@code >} comparisons against the midpoints
 * between adjacent magnitudes (a value exactly on a midpoint takes the smaller magnitude).
 */
public final class Fp4 {
    /** bitsandbytes' table before the division by 12, by index (bits s e e m). */
    static final float[] DATA = {0f, 0.0625f, 8f, 12f, 4f, 6f, 2f, 3f, 0f, -0.0625f, -8f, -12f, -4f, -6f, -2f, -3f};

    public static final QuantCode CODE = new Code();

    private Fp4() {
    }

    private static final class Code implements QuantCode {
        private final float[] values = new float[16];

        Code() {
            for (int i = 0; i < 16; i++) {
                values[i] = DATA[i] / 12f; // fp32 division, as torch's data.div_(data.abs().max())
            }
        }

        @Override
        public String name() {
            return "fp4";
        }

        @Override
        public int size() {
            return 16;
        }

        @Override
        public float value(int index) {
            return values[index];
        }

        @Override
        public float[] values() {
            return values.clone();
        }

        /** The pivots of bitsandbytes' {@code dQuantizeFP4}, the midpoints of adjacent magnitudes / 12. */
        @Override
        public int nearest(float u) {
            int sign = u < 0 ? 0b1000 : 0;
            float a = Math.abs(u);
            int magnitude;
            if (a > 0.29166667f) {
                if (a > 0.583333f) {
                    magnitude = a > 0.8333333f ? 0b011 : 0b010;
                } else {
                    magnitude = a > 0.4166667f ? 0b101 : 0b100;
                }
            } else if (a > 0.0859375f) {
                magnitude = a > 0.20833333f ? 0b111 : 0b110;
            } else {
                magnitude = a > 0.00260417f ? 0b001 : 0b000;
            }
            return sign + magnitude;
        }

        @Override
        public String toString() {
            return "fp4" + java.util.Arrays.toString(values);
        }
    }
}
