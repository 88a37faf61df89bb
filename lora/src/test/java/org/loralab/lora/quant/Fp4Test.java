package org.loralab.lora.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** bitsandbytes' FP4 code: table, nearest-code rule of {@code dQuantizeFP4}, storage round trip. */
class Fp4Test {
    /** bitsandbytes {@code get_4bit_type("fp4")} before {@code data.div_(data.abs().max())}, by index. */
    private static final float[] BNB_FP4 = {0, 0.0625f, 8, 12, 4, 6, 2, 3, -0, -0.0625f, -8, -12, -4, -6, -2, -3};

    @Test
    void tableIsBitsandbytesDividedByTwelve() {
        float[] v = Fp4.CODE.values();
        assertEquals(16, v.length);
        for (int i = 0; i < 16; i++) {
            assertEquals(Float.floatToIntBits(BNB_FP4[i] / 12f + 0f), Float.floatToIntBits(v[i]), "index " + i);
        }
        assertEquals(1.0f, v[3]);
        assertEquals(-1.0f, v[11]);
        // sign bit: index i and i + 8 are the same magnitude with opposite signs
        for (int i = 0; i < 8; i++) {
            assertEquals(v[i], -v[i + 8] + 0f, "index " + i);
        }
    }

    /** The index with the nearest value, the sign decided by the sign of u, ties to the smaller magnitude. */
    private static int bruteForce(float u) {
        float[] v = Fp4.CODE.values();
        int base = u < 0 ? 8 : 0;
        float a = Math.abs(u);
        int best = base;
        for (int m = 0; m < 8; m++) {
            float d = Math.abs(a - Math.abs(v[m]));
            float bd = Math.abs(a - Math.abs(v[best - base]));
            if (d < bd || d == bd && Math.abs(v[m]) < Math.abs(v[best - base])) {
                best = base + m;
            }
        }
        return best;
    }

    @Test
    void nearestFollowsTheKernelsPivots() {
        Random rnd = new Random(4);
        int checked = 0;
        for (int i = 0; i < 200_000; i++) {
            float u = (float) (rnd.nextDouble() * 2 - 1);
            if (i % 4 == 0) {
                u *= 0.01f; // the sub-normal region near zero
            }
            assertEquals(bruteForce(u), Fp4.CODE.nearest(u), "u = " + u);
            checked++;
        }
        assertEquals(200_000, checked);
        assertEquals(0, Fp4.CODE.nearest(0f));
        assertEquals(0, Fp4.CODE.nearest(-0f), "-0.0 is not < 0: the positive zero");
        assertEquals(8, Fp4.CODE.nearest(-1e-4f), "a small negative value keeps its sign bit");
        assertEquals(3, Fp4.CODE.nearest(1f));
        assertEquals(11, Fp4.CODE.nearest(-1f));
        // on a pivot the smaller magnitude wins (strict >): 0.0859375 lies between 0.0625/12 and 2/12
        assertEquals(1, Fp4.CODE.nearest(0.0859375f));
        assertEquals(6, Fp4.CODE.nearest(Math.nextUp(0.0859375f)));
    }

    @Test
    void storageRoundTripIsWithinHalfTheWidestGap() {
        Random rnd = new Random(9);
        float[] w = new float[96 * 64];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * 0.05);
        }
        for (QuantOptions o : new QuantOptions[] {QuantOptions.nf4(), QuantOptions.qlora()}) {
            Nf4Weight q = Nf4Weight.quantize(w, new int[] {96, 64}, o, Fp4.CODE);
            assertEquals(o.doubleQuant() ? "fp4+dq" : "fp4", q.format());
            assertEquals(Fp4.CODE, q.code());
            float[] back = q.dequantize();
            float[] absmax = q.blockAbsmax();
            for (int i = 0; i < w.length; i++) {
                // widest gap between adjacent magnitudes: 8/12 .. 12/12, half of it 1/6
                double bound = absmax[i / 64] / 6.0 * (1 + 1e-5) + (o.doubleQuant() ? 0.01 * absmax[i / 64] : 0);
                assertTrue(Math.abs(back[i] - w[i]) <= bound, "value " + i);
            }
            Nf4Weight again = q.requantize(back);
            assertEquals(q.format(), again.format(), "re-quantising keeps the code");
            if (!o.doubleQuant()) {
                assertArrayEquals(back, again.dequantize(), "fp4 re-quantises dequant(Q) to Q");
            }
            // FP4 and NF4 are different codes: the same weight is stored differently
            assertTrue(!Arrays.equals(back, Nf4Weight.quantize(w, new int[] {96, 64}, o).dequantize()));
        }
    }

    @Test
    void theBnbNf4StateRefusesFp4() {
        Nf4Weight q = Nf4Weight.quantize(new float[64], new int[] {1, 64}, QuantOptions.nf4(), Fp4.CODE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BnbNf4State.toTensors("w", q));
        assertTrue(e.getMessage().contains("fp4"), e.getMessage());
    }
}
