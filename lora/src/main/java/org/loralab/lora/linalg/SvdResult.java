package org.loralab.lora.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * {@code A ≈ U · diag(S) · Vt}, singular values in descending order.
 *
 * @param u  [m, k] left singular vectors as columns
 * @param s  k singular values, descending, non-negative
 * @param vt [k, n] right singular vectors as rows
 */
public record SvdResult(DMatrixRMaj u, double[] s, DMatrixRMaj vt) {

    public int rank() {
        return s.length;
    }

    /** The first {@code r} singular triplets (r <= rank()). */
    public SvdResult truncate(int r) {
        if (r < 0 || r > s.length) {
            throw new IllegalArgumentException("cannot keep " + r + " of " + s.length + " singular triplets");
        }
        DMatrixRMaj ur = CommonOps_DDRM.extract(u, 0, u.numRows, 0, r);
        DMatrixRMaj vtr = CommonOps_DDRM.extract(vt, 0, r, 0, vt.numCols);
        double[] sr = java.util.Arrays.copyOf(s, r);
        return new SvdResult(ur, sr, vtr);
    }

    /** {@code U · diag(S) · Vt}. */
    public DMatrixRMaj reconstruct() {
        DMatrixRMaj us = u.copy();
        for (int i = 0; i < us.numRows; i++) {
            for (int j = 0; j < s.length; j++) {
                us.unsafe_set(i, j, us.unsafe_get(i, j) * s[j]);
            }
        }
        DMatrixRMaj out = new DMatrixRMaj(u.numRows, vt.numCols);
        CommonOps_DDRM.mult(us, vt, out);
        return out;
    }

    /** V as columns, [n, k]. */
    public DMatrixRMaj v() {
        return CommonOps_DDRM.transpose(vt, null);
    }
}
