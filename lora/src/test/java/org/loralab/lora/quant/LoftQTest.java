package org.loralab.lora.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** PEFT's LoftQ criterion, on the weight instead of logits: Q + s·B·A is closer to W than plain quantisation. */
class LoftQTest {
    private static final int OUT = 96;
    private static final int IN = 160;
    private static final int RANK = 16;

    static float[] weight() {
        float[] w = QuantRoundTripTest.gaussian(OUT * IN, 0.02, 7);
        // a few outliers, as trained weights have, so some blocks quantise coarsely
        for (int i = 0; i < w.length; i += 997) {
            w[i] *= 8;
        }
        return w;
    }

    static double frobeniusDistance(float[] a, float[] b) {
        double sq = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            sq += d * d;
        }
        return Math.sqrt(sq);
    }

    @ParameterizedTest(name = "{0}-bit, {1} iteration(s), s = {2}, {3}")
    @CsvSource({
        "4, 1, 1.0, IGNORE_SCALING",
        "4, 5, 1.0, IGNORE_SCALING",
        "8, 1, 1.0, IGNORE_SCALING",
        "8, 5, 1.0, IGNORE_SCALING",
        "4, 1, 0.5, COMPENSATE_SCALING",
        "4, 5, 0.5, COMPENSATE_SCALING",
        "8, 5, 0.5, COMPENSATE_SCALING",
    })
    void loftqBeatsPlainQuantisationByAtLeastThreePercent(int bits, int iters, double s,
                                                          LoftQConfig.ScalingMode mode) {
        float[] w = weight();
        LoftQConfig cfg = LoftQConfig.defaults().withBits(bits).withIterations(iters).withScalingMode(mode);
        LoftQResult r = LoftQ.initialize(w, OUT, IN, RANK, s, cfg);
        double plain = frobeniusDistance(w, LoftQ.quantize(w, OUT, IN, cfg).dequantize());
        double loftq = frobeniusDistance(w, r.effectiveWeight());
        double factor = plain / loftq;
        System.out.printf("LoftQ %d-bit iter=%d s=%.1f %s: ||W-Q_plain||=%.5f ||W-(Q+sBA)||=%.5f factor %.3f, "
                + "residuals %s%n", bits, iters, s, mode, plain, loftq, factor, java.util.Arrays.toString(r.residualNorms()));
        assertTrue(factor >= 1.03, "factor " + factor);
        assertEquals(RANK * IN, r.loraA().length);
        assertEquals(OUT * RANK, r.loraB().length);
        assertEquals(r.residualNorms()[iters - 1], loftq, 1e-3 * loftq, "reported residual is the achieved one");
    }

    @Test
    void oneIterationKeepsThePlainQuantisedBase() {
        float[] w = weight();
        LoftQResult r = LoftQ.initialize(w, OUT, IN, RANK, 1.0, LoftQConfig.defaults());
        Nf4Weight plain = Nf4Weight.quantize(w, new int[] {OUT, IN}, QuantOptions.nf4());
        assertEquals("nf4", r.base().format());
        assertArrayEquals(plain.packed(), ((Nf4Weight) r.base()).packed());
    }

    @Test
    void ignoreScalingIsPeftsQuirkAndCompensationUndoesIt() {
        float[] w = weight();
        LoftQConfig peft = LoftQConfig.defaults();
        LoftQResult atOne = LoftQ.initialize(w, OUT, IN, RANK, 1.0, peft);
        LoftQResult ignored = LoftQ.initialize(w, OUT, IN, RANK, 0.5, peft);
        LoftQResult compensated = LoftQ.initialize(w, OUT, IN, RANK, 0.5,
                peft.withScalingMode(LoftQConfig.ScalingMode.COMPENSATE_SCALING));
        // PEFT: the factors do not depend on s, so with s = 0.5 only half the correction reaches the forward pass
        assertArrayEquals(atOne.loraA(), ignored.loraA());
        assertArrayEquals(atOne.loraB(), ignored.loraB());
        double dIgnored = frobeniusDistance(w, ignored.effectiveWeight());
        double dCompensated = frobeniusDistance(w, compensated.effectiveWeight());
        assertTrue(dCompensated < dIgnored, dCompensated + " vs " + dIgnored);
        assertArrayEquals(atOne.effectiveWeight(), compensated.effectiveWeight(), 1e-6f);
    }

    @Test
    void ndArrayOverloadGivesTheSameResult() {
        float[] w = weight();
        LoftQResult fromArray = LoftQ.initialize(w, OUT, IN, RANK, 1.0, LoftQConfig.defaults().withBits(8));
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            LoftQResult fromNd = LoftQ.initialize(m.create(w, new ai.djl.ndarray.types.Shape(OUT, IN)), RANK, 1.0,
                    LoftQConfig.defaults().withBits(8));
            assertArrayEquals(fromArray.loraA(), fromNd.loraA());
            assertArrayEquals(fromArray.loraB(), fromNd.loraB());
            assertThrows(IllegalArgumentException.class,
                    () -> LoftQ.initialize(m.create(w), RANK, 1.0, LoftQConfig.defaults()));
        }
    }

    @Test
    void badArgumentsAreRejected() {
        float[] w = weight();
        assertThrows(IllegalArgumentException.class, () -> LoftQConfig.defaults().withBits(3));
        assertThrows(IllegalArgumentException.class, () -> LoftQConfig.defaults().withIterations(0));
        assertThrows(IllegalArgumentException.class, () -> LoftQ.initialize(w, OUT, IN, 97, 1, LoftQConfig.defaults()));
        assertThrows(IllegalArgumentException.class, () -> LoftQ.initialize(w, OUT, IN + 1, 4, 1, LoftQConfig.defaults()));
        assertThrows(IllegalArgumentException.class, () -> LoftQ.initialize(w, OUT, IN, 4, 0, LoftQConfig.defaults()));
    }
}
