package org.loralab.lora.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.loralab.lora.linalg.LinalgAsserts;

class SpectrumTest {

    @Test
    void energyOfADiagonalMatrix() {
        Spectrum s = Spectrum.of(new DMatrixRMaj(new double[][] {{3, 0}, {0, -4}, {0, 0}}));
        assertArrayEquals(new double[] {4, 3}, s.values(), 1e-14);
        assertEquals(25, s.totalEnergy(), 1e-12);
        assertEquals(16.0 / 25, s.energy(1), 1e-14);
        assertEquals(1.0, s.energy(2), 1e-14);
        assertEquals(0.0, s.energy(0), 0.0);
        assertEquals(1, s.rankForEnergy(0.6));
        assertEquals(2, s.rankForEnergy(0.9));
        assertEquals(25.0 / 16, s.stableRank(), 1e-14);
        double p = 4.0 / 7, q = 3.0 / 7;
        assertEquals(Math.exp(-p * Math.log(p) - q * Math.log(q)), s.effectiveRank(), 1e-12);
    }

    @Test
    void effectiveRankIsNForAScaledIdentityAndOneForRankOne() {
        DMatrixRMaj eye = CommonOps_DDRM.identity(6);
        CommonOps_DDRM.scale(2.5, eye);
        assertEquals(6.0, Spectrum.of(eye).effectiveRank(), 1e-12);
        DMatrixRMaj rankOne = LinalgAsserts.lowRank(8, 5, 1, 3);
        assertEquals(1.0, Spectrum.of(rankOne).effectiveRank(), 1e-9);
        assertEquals(0.0, Spectrum.of(new DMatrixRMaj(3, 3)).effectiveRank(), 0.0);
    }

    @Test
    void lowRankSpectrumIsCompleteForALowRankMatrixAndFallsBackOtherwise() {
        DMatrixRMaj a = LinalgAsserts.lowRank(300, 280, 5, 8); // singular values 5..1
        Spectrum s = Spectrum.ofLowRank(a, 5);
        assertTrue(s.complete());
        assertArrayEquals(new double[] {5, 4, 3, 2, 1}, s.values(), 1e-9);
        assertEquals(Spectrum.of(a).effectiveRank(), s.effectiveRank(), 1e-9);
        Spectrum fallback = Spectrum.ofLowRank(a, 3); // rank 5 > 3: exact path
        assertEquals(280, fallback.size());
        assertTrue(fallback.complete());
    }

    @Test
    void randomizedTopSpectrumKeepsEnergyFractionsOfTheWholeMatrix() {
        DMatrixRMaj a = LinalgAsserts.lowRank(40, 30, 4, 5); // singular values 4, 3, 2, 1
        Spectrum top = Spectrum.top(a, 2, 16, 0);
        assertFalse(top.complete());
        assertArrayEquals(new double[] {4, 3}, top.values(), 1e-5); // gap 2/3, 16 iterations
        assertEquals(25.0 / 30, top.energy(2), 1e-5);
        assertThrows(IllegalStateException.class, top::effectiveRank);
        assertEquals(-1, top.rankForEnergy(0.99));
    }
}
