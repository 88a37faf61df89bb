package org.loralab.lora.analysis;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.loralab.lora.linalg.RandomizedSvd;
import org.loralab.lora.linalg.SvdResult;
import org.loralab.lora.linalg.Svd;

/**
 * The LoRA paper's feature-amplification factor (Hu et al. 2021, §7.3): {@code ||ΔW||_F / ||Uᵀ W V||_F}, where
 * U [out, r] and V [in, r] are the top-r left and right singular vectors of ΔW (the paper writes
 * {@code UᵀWVᵀ} with V stored as rows). A large factor means ΔW amplifies directions that W barely uses.
 *
 * @param rank          r, the number of singular directions of ΔW used
 * @param deltaNorm     {@code ||ΔW||_F}
 * @param projectedNorm {@code ||Uᵀ W V||_F}, W projected onto ΔW's top-r subspace
 * @param weightNorm    {@code ||W||_F}, for context
 * @param factor        deltaNorm / projectedNorm (infinite when the projection is 0)
 */
public record AmplificationFactor(int rank, double deltaNorm, double projectedNorm, double weightNorm, double factor) {

    /** Matrices up to this size (min(out, in)) use the exact SVD of ΔW; larger ones the randomized SVD. */
    public static final int EXACT_LIMIT = 256;

    /**
     * W and ΔW are both [out, in]; 1 <= r <= min(out, in). ΔW's top-r singular vectors come from the exact SVD for
     * min(out, in) <= {@link #EXACT_LIMIT}, else from {@code svd_lowrank(ΔW, r, niter=8)}, which is exact for a
     * rank-r ΔW such as a LoRA update.
     */
    public static AmplificationFactor of(DMatrixRMaj w, DMatrixRMaj deltaW, int r) {
        return of(w, deltaW, r, Math.min(w.numRows, w.numCols) <= EXACT_LIMIT);
    }

    /** As {@link #of(DMatrixRMaj, DMatrixRMaj, int)} with the SVD method chosen by {@code exact}. */
    public static AmplificationFactor of(DMatrixRMaj w, DMatrixRMaj deltaW, int r, boolean exact) {
        if (w.numRows != deltaW.numRows || w.numCols != deltaW.numCols) {
            throw new IllegalArgumentException("W is " + w.numRows + "x" + w.numCols + " but dW is "
                    + deltaW.numRows + "x" + deltaW.numCols + "; they must have the same shape");
        }
        int k = Math.min(w.numRows, w.numCols);
        if (r < 1 || r > k) {
            throw new IllegalArgumentException("r must be in [1, " + k + "], got " + r);
        }
        SvdResult top = exact ? Svd.top(deltaW, r)
                : RandomizedSvd.svdLowrank(deltaW, r, 8, new java.util.Random(0));
        DMatrixRMaj uTw = new DMatrixRMaj(r, w.numCols);
        CommonOps_DDRM.multTransA(top.u(), w, uTw);
        DMatrixRMaj projected = new DMatrixRMaj(r, r);
        CommonOps_DDRM.multTransB(uTw, top.vt(), projected);
        double projectedNorm = NormOps_DDRM.normF(projected);
        double deltaNorm = NormOps_DDRM.normF(deltaW);
        return new AmplificationFactor(r, deltaNorm, projectedNorm, NormOps_DDRM.normF(w),
                deltaNorm / projectedNorm);
    }
}
