package org.loralab.lora.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;

/** Shared helpers for linear-algebra tests. */
public final class LinalgAsserts {
    private LinalgAsserts() {}

    public static DMatrixRMaj gaussian(int m, int n, long seed) {
        Random rnd = new Random(seed);
        DMatrixRMaj a = new DMatrixRMaj(m, n);
        for (int i = 0; i < a.data.length; i++) {
            a.data[i] = rnd.nextGaussian();
        }
        return a;
    }

    /** A random m x n matrix of exact rank k with singular values k, k-1, ..., 1. */
    public static DMatrixRMaj lowRank(int m, int n, int k, long seed) {
        DMatrixRMaj u = Qr.reduced(gaussian(m, k, seed)).q();
        DMatrixRMaj v = Qr.reduced(gaussian(n, k, seed + 1)).q();
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < m; i++) {
                u.set(i, j, u.get(i, j) * (k - j));
            }
        }
        DMatrixRMaj out = new DMatrixRMaj(m, n);
        CommonOps_DDRM.multTransB(u, v, out);
        return out;
    }

    public static double relativeError(DMatrixRMaj expected, DMatrixRMaj actual) {
        DMatrixRMaj diff = new DMatrixRMaj(expected.numRows, expected.numCols);
        CommonOps_DDRM.subtract(expected, actual, diff);
        return NormOps_DDRM.normF(diff) / Math.max(NormOps_DDRM.normF(expected), 1e-300);
    }

    /** max |X^T X - I| for the columns of X. */
    public static void assertOrthonormalColumns(DMatrixRMaj x, double tol) {
        DMatrixRMaj g = new DMatrixRMaj(x.numCols, x.numCols);
        CommonOps_DDRM.multTransA(x, x, g);
        for (int i = 0; i < g.numRows; i++) {
            for (int j = 0; j < g.numCols; j++) {
                assertEquals(i == j ? 1.0 : 0.0, g.get(i, j), tol, "Gram matrix entry (" + i + "," + j + ")");
            }
        }
    }

    public static void assertMatrixEquals(DMatrixRMaj expected, DMatrixRMaj actual, double tol) {
        assertEquals(expected.numRows, actual.numRows, "rows");
        assertEquals(expected.numCols, actual.numCols, "cols");
        for (int i = 0; i < expected.numRows; i++) {
            for (int j = 0; j < expected.numCols; j++) {
                assertEquals(expected.get(i, j), actual.get(i, j), tol, "entry (" + i + "," + j + ")");
            }
        }
    }

    public static void assertDescendingNonNegative(double[] s) {
        for (int i = 0; i < s.length; i++) {
            assertTrue(s[i] >= 0, "singular value " + i + " is negative");
            if (i > 0) {
                assertTrue(s[i] <= s[i - 1], "singular values not descending at " + i);
            }
        }
    }
}
