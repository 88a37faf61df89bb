package org.loralab.lora.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

/**
 * Householder QR on EJML.
 *
 * <p>Sign convention (spec §7.2): EJML's Householder QR picks each reflector like LAPACK's {@code dlarfg},
 * so {@code R_ii = -sign(alpha_i) · ||x_i||} where alpha_i is the leading entry of the column being reduced.
 * On full-rank inputs this yields the same Q and R as {@code torch.linalg.qr} / {@code numpy.linalg.qr}
 * (checked against numpy fixtures in {@code QrTest}). One exception is patched here: when m <= n the last
 * reflector acts on a single entry; LAPACK then uses the identity (tau = 0, R_kk keeps alpha's sign) whereas
 * EJML reflects it (R_kk = -alpha), so that column of Q and row of R are negated back (unless alpha is 0, where
 * EJML does not reflect either). Use {@link QrResult#withNonNegativeDiagonal()} for the
 * unique positive-diagonal form.
 */
public final class Qr {
    private Qr() {}

    /** Reduced ("economic") QR: Q [m,k], R [k,n], k = min(m,n), as {@code torch.linalg.qr(A)}. */
    public static QrResult reduced(DMatrixRMaj a) {
        return decompose(a, true);
    }

    /** Complete QR: Q [m,m], R [m,n]. */
    public static QrResult complete(DMatrixRMaj a) {
        return decompose(a, false);
    }

    /** Only Q of the reduced QR: an orthonormal basis of the column space (for full-rank A). */
    public static DMatrixRMaj orthonormalBasis(DMatrixRMaj a) {
        return reduced(a).q();
    }

    private static QrResult decompose(DMatrixRMaj a, boolean compact) {
        Svd.requireFinite(a);
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(a.numRows, a.numCols);
        if (!qr.decompose(a.copy())) {
            throw new IllegalStateException("QR failed for a " + a.numRows + "x" + a.numCols + " matrix");
        }
        DMatrixRMaj q = qr.getQ(null, compact);
        DMatrixRMaj r = qr.getR(null, compact);
        if (a.numRows <= a.numCols && a.numRows > 0 && r.get(a.numRows - 1, a.numRows - 1) != 0) {
            negateLastReflection(q, r, a.numRows - 1);
        }
        return new QrResult(q, r);
    }

    private static void negateLastReflection(DMatrixRMaj q, DMatrixRMaj r, int k) {
        for (int j = 0; j < r.numCols; j++) {
            r.unsafe_set(k, j, -r.unsafe_get(k, j));
        }
        for (int i = 0; i < q.numRows; i++) {
            q.unsafe_set(i, k, -q.unsafe_get(i, k));
        }
    }
}
