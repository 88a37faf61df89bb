package org.loralab.lora.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/** Singular value decompositions on EJML (implicit-QR SVD), sorted like LAPACK: descending. */
public final class Svd {
    private Svd() {}

    /** Thin SVD ({@code full_matrices=False}): U [m,k], S [k], Vt [k,n] with k = min(m,n). */
    public static SvdResult thin(DMatrixRMaj a) {
        return decompose(a, true, true);
    }

    /** Full SVD: U [m,m], Vt [n,n]; S has min(m,n) values. */
    public static SvdResult full(DMatrixRMaj a) {
        SvdResult r = decompose(a, false, true);
        return r;
    }

    /** Singular values only, descending. */
    public static double[] values(DMatrixRMaj a) {
        requireFinite(a);
        SingularValueDecomposition_F64<DMatrixRMaj> svd =
                DecompositionFactory_DDRM.svd(a.numRows, a.numCols, false, false, true);
        if (!svd.decompose(a.copy())) {
            throw new IllegalStateException("SVD did not converge for a " + a.numRows + "x" + a.numCols + " matrix");
        }
        double[] s = java.util.Arrays.copyOf(svd.getSingularValues(), svd.numberOfSingularValues());
        java.util.Arrays.sort(s);
        for (int i = 0, j = s.length - 1; i < j; i++, j--) {
            double t = s[i];
            s[i] = s[j];
            s[j] = t;
        }
        return s;
    }

    private static SvdResult decompose(DMatrixRMaj a, boolean compact, boolean vectors) {
        requireFinite(a);
        int m = a.numRows;
        int n = a.numCols;
        int k = Math.min(m, n);
        SingularValueDecomposition_F64<DMatrixRMaj> svd =
                DecompositionFactory_DDRM.svd(m, n, vectors, vectors, compact);
        if (!svd.decompose(a.copy())) {
            throw new IllegalStateException("SVD did not converge for a " + m + "x" + n + " matrix");
        }
        DMatrixRMaj u = svd.getU(null, false);
        DMatrixRMaj vt = svd.getV(null, true);
        DMatrixRMaj w = svd.getW(null);
        SingularOps_DDRM.descendingOrder(u, false, w, vt, true);
        double[] s = new double[k];
        for (int i = 0; i < k; i++) {
            s[i] = w.get(i, i);
        }
        if (compact) {
            u = CommonOps_DDRM.extract(u, 0, m, 0, k);
            vt = CommonOps_DDRM.extract(vt, 0, k, 0, n);
        }
        return new SvdResult(u, s, vt);
    }

    static void requireFinite(DMatrixRMaj a) {
        for (int i = 0; i < a.getNumElements(); i++) {
            if (!Double.isFinite(a.data[i])) {
                throw new IllegalArgumentException("matrix " + a.numRows + "x" + a.numCols
                        + " has a non-finite entry at (" + i / a.numCols + ", " + i % a.numCols
                        + "); SVD/QR need finite values");
            }
        }
    }
}
