package org.loralab.lora.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loralab.lora.linalg.LinalgAsserts.*;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class SvdTest {

    @Test
    void thinSvdReconstructsTallAndWideMatricesWithOrthonormalFactors() {
        for (int[] shape : new int[][] {{12, 5}, {5, 12}, {7, 7}}) {
            DMatrixRMaj a = gaussian(shape[0], shape[1], 42);
            SvdResult svd = Svd.thin(a);
            int k = Math.min(shape[0], shape[1]);
            assertEquals(shape[0], svd.u().numRows);
            assertEquals(k, svd.u().numCols);
            assertEquals(k, svd.vt().numRows);
            assertEquals(shape[1], svd.vt().numCols);
            assertTrue(relativeError(a, svd.reconstruct()) < 1e-12);
            assertOrthonormalColumns(svd.u(), 1e-12);
            assertOrthonormalColumns(svd.v(), 1e-12);
            assertDescendingNonNegative(svd.s());
        }
    }

    @Test
    void fullSvdHasSquareOrthogonalFactors() {
        DMatrixRMaj a = gaussian(9, 4, 1);
        SvdResult svd = Svd.full(a);
        assertEquals(9, svd.u().numCols);
        assertEquals(4, svd.vt().numRows);
        assertOrthonormalColumns(svd.u(), 1e-12);
        assertArrayEquals(Svd.thin(a).s(), svd.s(), 1e-12);
    }

    @Test
    void knownSingularValuesOfADiagonalMatrixComeOutSorted() {
        DMatrixRMaj a = new DMatrixRMaj(new double[][] {{1, 0, 0}, {0, -5, 0}, {0, 0, 3}, {0, 0, 0}});
        assertArrayEquals(new double[] {5, 3, 1}, Svd.values(a), 1e-14);
        assertArrayEquals(new double[] {5, 3, 1}, Svd.thin(a).s(), 1e-14);
    }

    @Test
    void truncationKeepsTheLeadingTriplets() {
        DMatrixRMaj a = lowRank(20, 15, 3, 7);
        SvdResult top = Svd.thin(a).truncate(3);
        assertArrayEquals(new double[] {3, 2, 1}, top.s(), 1e-12);
        assertTrue(relativeError(a, top.reconstruct()) < 1e-12);
    }

    @Test
    void topTripletsEqualTheTruncatedThinSvdUpToSign() {
        for (int[] shape : new int[][] {{40, 25}, {25, 40}}) {
            DMatrixRMaj a = gaussian(shape[0], shape[1], 4);
            SvdResult top = Svd.top(a, 6);
            SvdResult ref = Svd.thin(a).truncate(6);
            assertArrayEquals(ref.s(), top.s(), 1e-12);
            assertOrthonormalColumns(top.u(), 1e-12);
            assertOrthonormalColumns(top.v(), 1e-12);
            for (int k = 0; k < 6; k++) {
                double sign = Math.signum(top.vt().get(k, 0) * ref.vt().get(k, 0));
                for (int i = 0; i < shape[0]; i++) {
                    assertEquals(ref.u().get(i, k), sign * top.u().get(i, k), 1e-10);
                }
            }
        }
        // rank 2 with r = 3: the third column of U stays zero instead of dividing by ~0
        SvdResult deficient = Svd.top(lowRank(10, 8, 2, 3), 3);
        assertTrue(deficient.s()[2] < 1e-12);
        for (int i = 0; i < 10; i++) {
            assertEquals(0.0, deficient.u().get(i, 2), 0.0);
        }
    }

    @Test
    void nonFiniteInputIsRejectedWithItsPosition() {
        DMatrixRMaj a = gaussian(3, 3, 0);
        a.set(1, 2, Double.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Svd.thin(a));
        assertTrue(e.getMessage().contains("(1, 2)"), e.getMessage());
    }
}
