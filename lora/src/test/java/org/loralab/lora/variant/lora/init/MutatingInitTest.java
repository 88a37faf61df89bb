package org.loralab.lora.variant.lora.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.loralab.lora.linalg.LinalgAsserts;
import org.loralab.lora.linalg.Matrices;
import org.loralab.lora.linalg.Svd;

class MutatingInitTest {
    private static final float[][] W = Matrices.toFloats(LinalgAsserts.gaussian(24, 16, 5));

    private static DMatrixRMaj effective(MutatingInit m, double s) {
        DMatrixRMaj ba = new DMatrixRMaj(W.length, W[0].length);
        CommonOps_DDRM.mult(Matrices.fromFloats(m.b()), Matrices.fromFloats(m.a()), ba);
        DMatrixRMaj out = Matrices.fromFloats(m.residual());
        CommonOps_DDRM.addEquals(out, s, ba);
        return out;
    }

    @Test
    void pissaResidualPlusAdapterIsW() {
        double s = 2.0;
        MutatingInit m = MutatingInit.pissa(W, 4, s, -1, null);
        LinalgAsserts.assertMatrixEquals(Matrices.fromFloats(W), effective(m, s), 1e-6);
        // s·B·A is the best rank-4 approximation: the residual's top singular value is sigma_5 of W
        double[] sw = Svd.values(Matrices.fromFloats(W));
        assertEquals(sw[4], Svd.values(Matrices.fromFloats(m.residual()))[0], 1e-5);
        // A = diag(sqrt(S/s)) Vh: row norms are sqrt(sigma_k / s), and so are B's column norms
        for (int k = 0; k < 4; k++) {
            double rowNorm = 0;
            for (float v : m.a()[k]) {
                rowNorm += v * v;
            }
            assertEquals(sw[k] / s, rowNorm, 1e-5);
        }
    }

    @Test
    void randomizedPissaIsCloseToExactOnALowRankWeight() {
        float[][] lowRank = Matrices.toFloats(LinalgAsserts.lowRank(30, 20, 3, 2));
        MutatingInit m = MutatingInit.pissa(lowRank, 3, 1.0, 4, new Random(0));
        // exact rank 3: the residual is (numerically) zero
        for (float[] row : m.residual()) {
            for (float v : row) {
                assertEquals(0f, v, 1e-5f);
            }
        }
    }

    @Test
    void oloraTakesQAndRFactors() {
        double s = 0.5;
        MutatingInit m = MutatingInit.olora(W, 5, s);
        LinalgAsserts.assertMatrixEquals(Matrices.fromFloats(W), effective(m, s), 1e-6);
        LinalgAsserts.assertOrthonormalColumns(Matrices.fromFloats(m.b()), 1e-6);
        for (int i = 1; i < 5; i++) {
            for (int j = 0; j < i; j++) {
                assertEquals(0f, m.a()[i][j], 0f, "A = R[:r] is upper triangular");
            }
        }
        // first column of W = B[:,0] * A[0][0]
        for (int i = 0; i < W.length; i++) {
            assertEquals(W[i][0], m.b()[i][0] * m.a()[0][0], 1e-5);
        }
    }

    @Test
    void rankAboveMinDimensionIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MutatingInit.olora(W, 17, 1));
        assertTrue(e.getMessage().contains("min(out, in) = 16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MutatingInit.pissa(W, 0, 1, -1, null));
    }
}
