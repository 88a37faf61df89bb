package org.loralab.lora.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Error bounds of the quantise/dequantise round trips on random weights. */
class QuantRoundTripTest {
    /** Largest distance from a point in [-1, 1] to its nearest code: half the widest gap of a code book. */
    static float halfWidestGap(CodeBook code) {
        float gap = 0;
        for (int i = 1; i < code.size(); i++) {
            gap = Math.max(gap, code.value(i) - code.value(i - 1));
        }
        return gap / 2;
    }

    static float[] gaussian(int n, double std, long seed) {
        Random rnd = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (rnd.nextGaussian() * std);
        }
        return w;
    }

    static double relativeDistance(float[] a, float[] ref) {
        double sq = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            sq += ((double) a[i] - ref[i]) * ((double) a[i] - ref[i]);
            norm += (double) ref[i] * ref[i];
        }
        return Math.sqrt(sq / norm);
    }

    @Test
    void nf4ErrorIsWithinHalfTheWidestCodeGapTimesTheBlockAbsmax() {
        float[] w = gaussian(64 * 97 + 13, 0.05, 1);
        Nf4Weight q = Nf4Weight.quantize(w, new int[] {w.length}, QuantOptions.nf4());
        float[] d = q.dequantize();
        float[] absmax = q.blockAbsmax();
        float half = halfWidestGap(Nf4.CODE); // (1 - 0.7229568) / 2
        double sq = 0;
        double ref = 0;
        for (int i = 0; i < w.length; i++) {
            float bound = absmax[i / 64] * half * (1 + 1e-6f);
            assertTrue(Math.abs(w[i] - d[i]) <= bound, "value " + i);
            sq += (w[i] - d[i]) * (w[i] - d[i]);
            ref += w[i] * w[i];
        }
        double rel = Math.sqrt(sq / ref);
        System.out.printf("NF4 round trip (gaussian, %d values): relative Frobenius error %.4f%n", w.length, rel);
        assertTrue(rel < 0.12, "relative error " + rel);
    }

    @Test
    void doubleQuantisedConstantsAreWithinHalfTheWidestDynamicMapGapOfTheirNestedBlock() {
        float[] w = gaussian(64 * 1000, 0.02, 2);
        for (int i = 0; i < 64; i++) {
            w[64 * 500 + i] *= 30; // an outlier block widens one nested block's range
        }
        Nf4Weight plain = Nf4Weight.quantize(w, new int[] {w.length}, QuantOptions.nf4());
        Nf4Weight dq = Nf4Weight.quantize(w, new int[] {w.length}, QuantOptions.qlora());
        float[] exact = plain.blockAbsmax();
        float[] restored = dq.blockAbsmax();
        float[] absmax2 = dq.doubleQuantState().absmax2();
        float half = halfWidestGap(DynamicMap.SIGNED_8BIT); // 0.00703125
        assertEquals(0.00703125f, half, 1e-7f);
        double worstRel = 0;
        for (int b = 0; b < exact.length; b++) {
            float bound = absmax2[b / 256] * half * (1 + 1e-5f) + Math.ulp(exact[b]);
            float err = Math.abs(exact[b] - restored[b]);
            assertTrue(err <= bound, "block " + b + ": error " + err + " > " + bound);
            worstRel = Math.max(worstRel, err / exact[b]);
        }
        double sq = 0;
        double ref = 0;
        float[] dPlain = plain.dequantize();
        float[] dDq = dq.dequantize();
        for (int i = 0; i < w.length; i++) {
            sq += (dPlain[i] - dDq[i]) * (dPlain[i] - dDq[i]);
            ref += dPlain[i] * dPlain[i];
        }
        System.out.printf("DQ round trip: worst relative absmax error %.5f, weight change vs plain NF4 %.5f (rel. Frobenius)%n",
                worstRel, Math.sqrt(sq / ref));
        assertTrue(Math.sqrt(sq / ref) < 0.01);
    }

    @Test
    void int8ErrorIsAtMostHalfAStepOfTheRow() {
        int rows = 33;
        int cols = 70;
        float[] w = gaussian(rows * cols, 0.1, 3);
        Int8RowwiseWeight q = Int8RowwiseWeight.quantize(w, new int[] {rows, cols});
        float[] d = q.dequantize();
        float[] rowmax = q.rowAbsmax();
        double sq = 0;
        double ref = 0;
        for (int i = 0; i < w.length; i++) {
            float bound = rowmax[i / cols] / 254f * (1 + 1e-5f);
            assertTrue(Math.abs(w[i] - d[i]) <= bound, "value " + i);
            sq += (w[i] - d[i]) * (w[i] - d[i]);
            ref += w[i] * w[i];
        }
        System.out.printf("int8 row-wise round trip: relative Frobenius error %.5f%n", Math.sqrt(sq / ref));
        assertTrue(Math.sqrt(sq / ref) < 0.01);
    }

    @Test
    void int8MatchesTheFixtureIncludingHalfEvenTiesAndAZeroRow() {
        var fx = QuantFixtures.load("int8_rowwise.json");
        Int8RowwiseWeight q = Int8RowwiseWeight.quantize(QuantFixtures.floats(fx, "input"), QuantFixtures.ints(fx, "shape"));
        int[] codes = new int[q.codes().length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = q.codes()[i];
        }
        assertArrayEquals(QuantFixtures.ints(fx, "codes"), codes);
        assertArrayEquals(QuantFixtures.floats(fx, "rowmax"), q.rowAbsmax());
        assertArrayEquals(QuantFixtures.floats(fx, "dequantized"), q.dequantize());
        // row 4 is {127, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, ...}: scale 1, round half to even
        assertArrayEquals(new int[] {127, 0, 2, 2, 0, -2, -2}, java.util.Arrays.copyOfRange(codes, 40, 47));
    }

    @Test
    void badInputGetsAClearError() {
        assertThrows(IllegalArgumentException.class,
                () -> Nf4Weight.quantize(new float[10], new int[] {3, 3}, QuantOptions.nf4()));
        assertThrows(IllegalArgumentException.class, () -> QuantOptions.nf4().withBlockSize(48));
        assertThrows(IllegalArgumentException.class,
                () -> Nf4Weight.quantize(new float[] {1f, Float.NaN}, new int[] {2}, QuantOptions.nf4()));
        assertThrows(IllegalArgumentException.class,
                () -> Int8RowwiseWeight.quantize(new float[4], new int[] {2, 0, 2}));
    }
}
