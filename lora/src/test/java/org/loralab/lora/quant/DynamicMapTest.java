package org.loralab.lora.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DynamicMapTest {
    @Test
    void tableEqualsTheTorchGeneratedFixture() {
        var fx = QuantFixtures.load("dynamic_map.json");
        assertArrayEquals(QuantFixtures.floats(fx, "signed8"), DynamicMap.SIGNED_8BIT.values());
        assertArrayEquals(QuantFixtures.floats(fx, "midpoints"), DynamicMap.SIGNED_8BIT.midpoints());
    }

    @Test
    void structureMatchesTheSpec() {
        float[] v = DynamicMap.SIGNED_8BIT.values();
        assertEquals(256, v.length);
        assertEquals(-0.99296874f, v[0]);
        assertEquals(1.0f, v[255]);
        assertEquals(127, Arrays.stream(box(v)).filter(x -> x < 0).count());
        assertEquals(128, Arrays.stream(box(v)).filter(x -> x > 0).count()); // 127 below 1, plus 1.0
        assertEquals(0f, v[127]);
    }

    /** Every entry is the spec's formula, evaluated in double, to within 2 ulp (torch's fp32 linspace rounding). */
    @Test
    void everyEntryIsTheFormulaWithinTwoUlp() {
        double[] expected = new double[256];
        int k = 0;
        for (int i = 0; i < 7; i++) {
            int steps = (1 << i) + 1;
            for (int j = 0; j < steps - 1; j++) {
                double lo = 0.1 + 0.9 * j / (steps - 1);
                double hi = 0.1 + 0.9 * (j + 1) / (steps - 1);
                double m = Math.pow(10, i - 6) * (lo + hi) / 2;
                expected[k++] = m;
                expected[k++] = -m;
            }
        }
        expected[k++] = 0;
        expected[k++] = 1;
        assertEquals(256, k);
        Arrays.sort(expected);
        float[] v = DynamicMap.SIGNED_8BIT.values();
        for (int i = 0; i < 256; i++) {
            double tol = 2 * Math.ulp((float) expected[i]);
            assertEquals(expected[i], v[i], tol, "entry " + i);
        }
    }

    private static Float[] box(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
