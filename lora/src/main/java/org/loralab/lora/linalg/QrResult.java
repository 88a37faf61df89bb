package org.loralab.lora.linalg;

import org.ejml.data.DMatrixRMaj;

/**
 * {@code A = Q · R}: reduced QR, Q [m,k] with orthonormal columns, R [k,n] upper triangular, k = min(m,n).
 */
public record QrResult(DMatrixRMaj q, DMatrixRMaj r) {

    /**
     * The same factorisation with every R_ii >= 0 (row i of R and column i of Q negated where needed). This
     * form is unique for full-rank A; useful when comparing against a QR from another library.
     */
    public QrResult withNonNegativeDiagonal() {
        DMatrixRMaj q2 = q.copy();
        DMatrixRMaj r2 = r.copy();
        int k = Math.min(r2.numRows, r2.numCols);
        for (int i = 0; i < k; i++) {
            if (r2.unsafe_get(i, i) < 0) {
                for (int j = 0; j < r2.numCols; j++) {
                    r2.unsafe_set(i, j, -r2.unsafe_get(i, j));
                }
                for (int row = 0; row < q2.numRows; row++) {
                    q2.unsafe_set(row, i, -q2.unsafe_get(row, i));
                }
            }
        }
        return new QrResult(q2, r2);
    }
}
