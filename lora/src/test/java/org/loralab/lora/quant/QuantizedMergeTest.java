package org.loralab.lora.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class QuantizedMergeTest {
    private static final int[] SHAPE = {48, 128};

    private static List<QuantizedWeight> bases(float[] w) {
        return List.of(Nf4Weight.quantize(w, SHAPE, QuantOptions.nf4()),
                Nf4Weight.quantize(w, SHAPE, QuantOptions.qlora()),
                Int8RowwiseWeight.quantize(w, SHAPE));
    }

    @Test
    void mergingAZeroDeltaKeepsTheCodes() {
        float[] w = QuantRoundTripTest.gaussian(48 * 128, 0.05, 11);
        for (QuantizedWeight base : bases(w)) {
            QuantizedMerge.Result r = QuantizedMerge.add(base, new float[w.length]);
            assertEquals(base.format(), r.merged().format());
            if (base instanceof Nf4Weight nf4) {
                assertArrayEquals(nf4.packed(), ((Nf4Weight) r.merged()).packed(), base.format());
            } else {
                assertArrayEquals(((Int8RowwiseWeight) base).codes(), ((Int8RowwiseWeight) r.merged()).codes());
            }
        }
    }

    @Test
    void mergeDriftIsTheRequantisationErrorAndUnmergeDoesNotRestoreExactly() {
        float[] w = QuantRoundTripTest.gaussian(48 * 128, 0.05, 12);
        float[] delta = QuantRoundTripTest.gaussian(48 * 128, 0.005, 13);
        for (QuantizedWeight base : bases(w)) {
            QuantizedMerge.Result merged = QuantizedMerge.add(base, delta);
            QuantizedMerge.Result back = QuantizedMerge.subtract(merged.merged(), delta);
            double vsBase = QuantRoundTripTest.relativeDistance(back.merged().dequantize(), base.dequantize());
            System.out.printf("%s merge: relative drift %.4f; merge+unmerge vs original %.4f%n",
                    base.format(), merged.relativeDrift(), vsBase);
            double bound = base.format().startsWith("nf4") ? 0.12 : 0.01; // the round-trip errors measured above
            assertTrue(merged.relativeDrift() > 0 && merged.relativeDrift() < bound, base.format());
            assertTrue(vsBase > 0 && vsBase < 2 * bound, base.format());
        }
    }

    @Test
    void deltaOfTheWrongSizeIsRejected() {
        QuantizedWeight base = Int8RowwiseWeight.quantize(new float[8], new int[] {2, 4});
        assertThrows(IllegalArgumentException.class, () -> QuantizedMerge.add(base, new float[7]));
    }
}
