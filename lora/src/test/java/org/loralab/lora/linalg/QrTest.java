package org.loralab.lora.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loralab.lora.linalg.LinalgAsserts.*;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class QrTest {
    private static final DMatrixRMaj A = new DMatrixRMaj(new double[][] {
        {2, -1, 3}, {-4, 0.5, 1}, {1, 2, -2}, {0.5, -3, 1}, {3, 1, 0.25}});

    // numpy.linalg.qr(A) (LAPACK geqrf/orgqr), numpy 1.x on Debian, printed with 17 digits
    private static final DMatrixRMaj NUMPY_Q = new DMatrixRMaj(new double[][] {
        {-0.36363636363636354, -0.2476756323745793, -0.7596665821783857},
        {0.7272727272727271, 0.11113650170654207, -0.46521960295071557},
        {-0.18181818181818177, 0.5165201222170718, 0.2672213980212426},
        {-0.09090909090909088, -0.7663126403384425, 0.2711296931336011},
        {-0.5454545454545453, 0.2688444898424923, -0.2481104973447108}});
    private static final DMatrixRMaj NUMPY_R = new DMatrixRMaj(new double[][] {
        {-5.500000000000001, 0.09090909090909083, -0.22727272727272707},
        {0, 3.904066538519814, -2.3640321577291585},
        {0, 0, -3.0695600767309346}});
    private static final DMatrixRMaj NUMPY_R_OF_AT = new DMatrixRMaj(new double[][] {
        {-3.7416573867739413, 1.469936830518333, 1.6035674514745464, -1.87082869338697, -1.5367521409964393},
        {0, 3.884492980336779, -1.8939776424837316, 0.06435846357954444, -2.3146061723071814},
        {0, 0, 1.6856512445767649, -2.597278958480525, 1.5308465384421632}});

    @Test
    void reducedQrMatchesLapackIncludingSigns() {
        QrResult qr = Qr.reduced(A);
        assertMatrixEquals(NUMPY_Q, qr.q(), 1e-12);
        assertMatrixEquals(NUMPY_R, qr.r(), 1e-12);
    }

    @Test
    void wideMatrixQrMatchesLapackIncludingSigns() {
        QrResult qr = Qr.reduced(CommonOps_DDRM.transpose(A, null));
        assertEquals(3, qr.q().numRows);
        assertEquals(3, qr.q().numCols);
        assertMatrixEquals(NUMPY_R_OF_AT, qr.r(), 1e-12);
    }

    @Test
    void squareMatrixQrMatchesLapackIncludingSigns() {
        DMatrixRMaj square = CommonOps_DDRM.extract(A, 0, 3, 0, 3);
        QrResult qr = Qr.reduced(square);
        assertMatrixEquals(new DMatrixRMaj(new double[][] {
            {-0.4364357804719847, -0.35989416433697496, 0.824621125123532},
            {0.8728715609439694, 0.0529256124024963, 0.48507125007266605},
            {-0.21821789023599236, 0.9314907782839352, 0.2910427500435995}}), qr.q(), 1e-12);
        assertMatrixEquals(new DMatrixRMaj(new double[][] {
            {-4.58257569495584, 0.4364357804719847, 0},
            {0, 2.2493385271060933, -2.889738437176299},
            {0, 0, 2.3768491253560633}}), qr.r(), 1e-12);
    }

    @Test
    void reconstructsWithOrthonormalQAndUpperTriangularR() {
        for (int[] shape : new int[][] {{30, 8}, {8, 30}}) {
            DMatrixRMaj a = gaussian(shape[0], shape[1], 3);
            QrResult qr = Qr.reduced(a);
            DMatrixRMaj qrProduct = new DMatrixRMaj(shape[0], shape[1]);
            CommonOps_DDRM.mult(qr.q(), qr.r(), qrProduct);
            assertTrue(relativeError(a, qrProduct) < 1e-13);
            assertOrthonormalColumns(qr.q(), 1e-13);
            for (int i = 0; i < qr.r().numRows; i++) {
                for (int j = 0; j < Math.min(i, qr.r().numCols); j++) {
                    assertEquals(0.0, qr.r().get(i, j), 0.0, "R below the diagonal");
                }
            }
        }
    }

    @Test
    void nonNegativeDiagonalFormIsTheSameFactorisation() {
        QrResult qr = Qr.reduced(A).withNonNegativeDiagonal();
        for (int i = 0; i < 3; i++) {
            assertTrue(qr.r().get(i, i) >= 0);
        }
        DMatrixRMaj product = new DMatrixRMaj(5, 3);
        CommonOps_DDRM.mult(qr.q(), qr.r(), product);
        assertMatrixEquals(A, product, 1e-13);
    }

    @Test
    void completeQrHasSquareQ() {
        QrResult qr = Qr.complete(A);
        assertEquals(5, qr.q().numCols);
        assertOrthonormalColumns(qr.q(), 1e-13);
    }
}
