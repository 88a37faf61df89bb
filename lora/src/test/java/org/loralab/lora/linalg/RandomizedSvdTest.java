package org.loralab.lora.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loralab.lora.linalg.LinalgAsserts.*;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class RandomizedSvdTest {

    @Test
    void recoversALowRankMatrixExactlyForTallAndWideShapes() {
        for (int[] shape : new int[][] {{60, 40}, {40, 60}}) {
            DMatrixRMaj a = lowRank(shape[0], shape[1], 5, 11);
            SvdResult approx = RandomizedSvd.svdLowrank(a, 5, 2);
            assertEquals(shape[0], approx.u().numRows);
            assertEquals(shape[1], approx.vt().numCols);
            assertArrayEquals(Svd.thin(a).truncate(5).s(), approx.s(), 1e-10);
            assertTrue(relativeError(a, approx.reconstruct()) < 1e-10);
            assertOrthonormalColumns(approx.u(), 1e-10);
            assertOrthonormalColumns(approx.v(), 1e-10);
        }
    }

    @Test
    void powerIterationsConvergeToTheExactTopSpectrum() {
        // spectrum 10, 9, ... plus noise and q = 4 without oversampling: the gap 6/7 makes convergence slow,
        // so niter=16 is close (not exact) and must beat niter=0
        DMatrixRMaj a = lowRank(80, 50, 10, 5);
        DMatrixRMaj noise = gaussian(80, 50, 9);
        for (int i = 0; i < a.data.length; i++) {
            a.data[i] += 1e-3 * noise.data[i];
        }
        double[] exact = Svd.thin(a).truncate(4).s();
        double err0 = maxAbsDiff(exact, RandomizedSvd.svdLowrank(a, 4, 0, new Random(1)).s());
        double err16 = maxAbsDiff(exact, RandomizedSvd.svdLowrank(a, 4, 16, new Random(1)).s());
        assertTrue(err16 < 1e-3, "niter=16 error " + err16);
        assertTrue(err16 <= err0, "niter=16 error " + err16 + " vs niter=0 error " + err0);
    }

    @Test
    void sameSeedSameResult() {
        DMatrixRMaj a = gaussian(30, 20, 2);
        SvdResult x = RandomizedSvd.svdLowrank(a, 3, 1, new Random(7));
        SvdResult y = RandomizedSvd.svdLowrank(a, 3, 1, new Random(7));
        assertArrayEquals(x.s(), y.s(), 0.0);
    }

    @Test
    void rejectsRankOutsideTheMatrix() {
        DMatrixRMaj a = gaussian(10, 4, 2);
        assertThrows(IllegalArgumentException.class, () -> RandomizedSvd.svdLowrank(a, 5, 2));
        assertThrows(IllegalArgumentException.class, () -> RandomizedSvd.svdLowrank(a, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> RandomizedSvd.svdLowrank(a, 2, -1));
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
