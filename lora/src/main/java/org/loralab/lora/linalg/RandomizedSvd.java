package org.loralab.lora.linalg;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Randomized truncated SVD, the algorithm of {@code torch.svd_lowrank(A, q, niter)} (spec Appendix B; Halko,
 * Martinsson and Tropp 2009, Algorithm 4.4 randomized subspace iteration followed by Algorithm 5.1 direct SVD).
 * QR and the small SVD come from EJML. The Gaussian test matrix comes from a seeded {@link Random}, so results
 * are reproducible in Java but not equal to torch's draws.
 */
public final class RandomizedSvd {
    private RandomizedSvd() {}

    /** {@link #svdLowrank(DMatrixRMaj, int, int, Random)} with a fixed seed of 0. */
    public static SvdResult svdLowrank(DMatrixRMaj a, int q, int niter) {
        return svdLowrank(a, q, niter, new Random(0));
    }

    /**
     * Returns U [m,q], S [q], Vt [q,n] with {@code A ≈ U diag(S) Vt}; exact when rank(A) <= q.
     *
     * @param q     target rank, 1 <= q <= min(m, n) (no oversampling, as PEFT's {@code pissa_niter_K})
     * @param niter number of power (subspace) iterations, >= 0
     */
    public static SvdResult svdLowrank(DMatrixRMaj a, int q, int niter, Random random) {
        Svd.requireFinite(a);
        int m = a.numRows;
        int n = a.numCols;
        if (q < 1 || q > Math.min(m, n)) {
            throw new IllegalArgumentException("svd_lowrank needs 1 <= q <= min(m, n) = " + Math.min(m, n)
                    + ", got q=" + q);
        }
        if (niter < 0) {
            throw new IllegalArgumentException("niter must be >= 0, got " + niter);
        }
        if (m < n) {
            // work on A^T and swap the factors: A^T = U' S V'^T  =>  A = V' S U'^T
            SvdResult t = svdLowrank(CommonOps_DDRM.transpose(a, null), q, niter, random);
            return new SvdResult(t.v(), t.s(), CommonOps_DDRM.transpose(t.u(), null));
        }
        DMatrixRMaj at = CommonOps_DDRM.transpose(a, null);
        DMatrixRMaj r = new DMatrixRMaj(n, q);
        for (int i = 0; i < r.data.length; i++) {
            r.data[i] = random.nextGaussian();
        }
        DMatrixRMaj q0 = Qr.orthonormalBasis(mult(a, r));           // [m, q]
        for (int it = 0; it < niter; it++) {
            DMatrixRMaj z = Qr.orthonormalBasis(mult(at, q0));      // [n, q]
            q0 = Qr.orthonormalBasis(mult(a, z));                    // [m, q]
        }
        DMatrixRMaj b = new DMatrixRMaj(q, n);
        CommonOps_DDRM.multTransA(q0, a, b);                         // Q^T A, [q, n]
        SvdResult small = Svd.thin(b);                               // Ub [q,q], S [q], Vt [q,n]
        return new SvdResult(mult(q0, small.u()), small.s(), small.vt());
    }

    private static DMatrixRMaj mult(DMatrixRMaj x, DMatrixRMaj y) {
        DMatrixRMaj out = new DMatrixRMaj(x.numRows, y.numCols);
        CommonOps_DDRM.mult(x, y, out);
        return out;
    }
}
