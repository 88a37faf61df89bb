package org.loralab.lora.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class Nf4CodeBookTest {
    /** Spec §13.1, as decimal strings so the comparison does not go through the same Java literals. */
    private static final String[] SPEC = {
        "-1.0", "-0.6961928009986877", "-0.5250730514526367", "-0.39491748809814453",
        "-0.28444138169288635", "-0.18477343022823334", "-0.09105003625154495", "0.0",
        "0.07958029955625534", "0.16093020141124725", "0.24611230194568634", "0.33791524171829224",
        "0.44070982933044434", "0.5626170039176941", "0.7229568362236023", "1.0",
    };

    @Test
    void codeBookIsBitExactToTheSpec() {
        assertEquals(16, Nf4.CODE.size());
        for (int i = 0; i < 16; i++) {
            double spec = Double.parseDouble(SPEC[i]);
            float v = Nf4.CODE.value(i);
            assertEquals(Float.floatToIntBits((float) spec), Float.floatToIntBits(v), "index " + i);
            assertEquals(spec, (double) v, 0.0, "the spec values are exact float32 values; index " + i);
        }
        assertEquals(0f, Nf4.CODE.value(Nf4.ZERO_INDEX));
    }

    @Test
    void codeBookAndMidpointsEqualTheFixture() {
        var fx = QuantFixtures.load("nf4_cases.json");
        assertArrayEquals(QuantFixtures.floats(fx, "code"), Nf4.CODE.values());
        assertArrayEquals(QuantFixtures.floats(fx, "midpoints"), Nf4.CODE.midpoints());
        // the CUDA kernel's threshold between codes 7 and 8
        assertEquals(0.03979014977812767f, Nf4.CODE.midpoints()[7]);
    }

    @Test
    void nearestCodeTakesTheLowerIndexOnAMidpointAndTheUpperJustAbove() {
        float[] mids = Nf4.CODE.midpoints();
        for (int i = 0; i < mids.length; i++) {
            assertEquals(i, Nf4.CODE.nearest(mids[i]), "on midpoint " + i);
            assertEquals(i + 1, Nf4.CODE.nearest(Math.nextUp(mids[i])), "just above midpoint " + i);
            assertEquals(i, Nf4.CODE.nearest(Math.nextDown(mids[i])), "just below midpoint " + i);
        }
        for (int i = 0; i < 16; i++) {
            assertEquals(i, Nf4.CODE.nearest(Nf4.CODE.value(i)));
        }
        assertEquals(0, Nf4.CODE.nearest(-1f));
        assertEquals(15, Nf4.CODE.nearest(1f));
    }
}
