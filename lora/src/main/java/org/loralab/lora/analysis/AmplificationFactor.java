package org.loralab.lora.analysis;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
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

    /** W and ΔW are both [out, in]; 1 <= r <= min(out, in). */
    public static AmplificationFactor of(DMatrixRMaj w, DMatrixRMaj deltaW, int r) {
        if (w.numRows != deltaW.numRows || w.numCols != deltaW.numCols) {
            throw new IllegalArgumentException("W is " + w.numRows + "x" + w.numCols + " but dW is "
                    + deltaW.numRows + "x" + deltaW.numCols + "; they must have the same shape");
        }
        int k = Math.min(w.numRows, w.numCols);
        if (r < 1 || r > k) {
            throw new IllegalArgumentException("r must be in [1, " + k + "], got " + r);
        }
        SvdResult top = Svd.thin(deltaW).truncate(r);
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
