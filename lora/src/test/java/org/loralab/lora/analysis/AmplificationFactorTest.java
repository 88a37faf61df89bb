package org.loralab.lora.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class AmplificationFactorTest {
    private static final DMatrixRMaj W = new DMatrixRMaj(new double[][] {{10, 0, 0}, {0, 1, 0}, {0, 0, 1}});

    @Test
    void updateAlongAWeakDirectionIsAmplified() {
        DMatrixRMaj dW = new DMatrixRMaj(new double[][] {{0, 0, 0}, {0, 0, 0}, {0, 0, -5}});
        AmplificationFactor f = AmplificationFactor.of(W, dW, 1);
        assertEquals(5.0, f.deltaNorm(), 1e-14);
        assertEquals(1.0, f.projectedNorm(), 1e-14);
        assertEquals(5.0, f.factor(), 1e-12);
    }

    @Test
    void updateAlongTheDominantDirectionIsNot() {
        DMatrixRMaj dW = new DMatrixRMaj(new double[][] {{5, 0, 0}, {0, 0, 0}, {0, 0, 0}});
        assertEquals(0.5, AmplificationFactor.of(W, dW, 1).factor(), 1e-12);
        // r = 2 picks e1 and some unit direction in the null space of dW restricted to span{e2,e3}: W acts as 1 there
        DMatrixRMaj dW2 = new DMatrixRMaj(new double[][] {{5, 0, 0}, {0, 2, 0}, {0, 0, 0}});
        assertEquals(Math.sqrt(29) / Math.sqrt(101), AmplificationFactor.of(W, dW2, 2).factor(), 1e-12);
    }

    @Test
    void randomizedPathAgreesWithTheExactOneOnALowRankUpdate() {
        DMatrixRMaj w = org.loralab.lora.linalg.LinalgAsserts.gaussian(300, 270, 1);
        DMatrixRMaj dW = org.loralab.lora.linalg.LinalgAsserts.lowRank(300, 270, 4, 2);
        AmplificationFactor exact = AmplificationFactor.of(w, dW, 4, true);
        AmplificationFactor fast = AmplificationFactor.of(w, dW, 4);
        assertEquals(exact.factor(), fast.factor(), 1e-8);
        assertEquals(exact.projectedNorm(), fast.projectedNorm(), 1e-8);
    }

    @Test
    void shapesAndRankAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> AmplificationFactor.of(W, new DMatrixRMaj(3, 2), 1));
        assertThrows(IllegalArgumentException.class, () -> AmplificationFactor.of(W, W, 4));
    }

    @Test
    void spectraTablesForWDeltaAndSum() {
        DMatrixRMaj dW = new DMatrixRMaj(new double[][] {{0, 0, 0}, {0, 0, 0}, {0, 0, 2}});
        Map<String, Spectrum> spectra = Spectra.ofUpdate(W, dW);
        assertEquals(3.0, spectra.get("W+dW").values()[1], 1e-12);
        Table long_ = Spectra.table("spectra", spectra);
        assertEquals(9, long_.rowCount());
        Table summary = Spectra.summary("summary", spectra, 1);
        assertEquals(3, summary.rowCount());
        assertEquals(1.0, summary.doubleColumn("energy_top_1").get(1), 1e-14); // dW has rank 1
        assertEquals(1.0, summary.doubleColumn("effective_rank").get(1), 1e-12);
    }
}
