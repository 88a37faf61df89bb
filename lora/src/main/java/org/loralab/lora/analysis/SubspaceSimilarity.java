package org.loralab.lora.analysis;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.loralab.lora.linalg.Svd;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * The normalised subspace similarity of the LoRA paper (Hu et al. 2021, §7.2, eq. 4):
 * {@code φ(A1, A2, i, j) = ||U1_iᵀ U2_j||_F² / min(i, j)} in [0, 1], where {@code U1_i} holds the top-i right
 * singular vectors of {@code A1} (as columns) and {@code U2_j} the top-j of {@code A2}. A1 [r1, in] and A2 [r2, in]
 * are LoRA A matrices (PEFT's {@code lora_A.weight}) of the same layer, so the right singular vectors live in the
 * layer's input space.
 */
public final class SubspaceSimilarity {
    private final DMatrixRMaj v1;
    private final DMatrixRMaj v2;

    /** Decomposes both matrices once; {@link #phi(int, int)} is then cheap. */
    public SubspaceSimilarity(DMatrixRMaj a1, DMatrixRMaj a2) {
        if (a1.numCols != a2.numCols) {
            throw new IllegalArgumentException("A1 has " + a1.numCols + " columns and A2 has " + a2.numCols
                    + "; compare A matrices of the same layer (same input size)");
        }
        this.v1 = Svd.thin(a1).v();
        this.v2 = Svd.thin(a2).v();
    }

    /** One-shot {@code φ(A1, A2, i, j)}. */
    public static double phi(DMatrixRMaj a1, DMatrixRMaj a2, int i, int j) {
        return new SubspaceSimilarity(a1, a2).phi(i, j);
    }

    public int maxI() {
        return v1.numCols;
    }

    public int maxJ() {
        return v2.numCols;
    }

    public double phi(int i, int j) {
        if (i < 1 || i > maxI() || j < 1 || j > maxJ()) {
            throw new IllegalArgumentException("need 1 <= i <= " + maxI() + " and 1 <= j <= " + maxJ()
                    + ", got i=" + i + ", j=" + j);
        }
        DMatrixRMaj u1 = CommonOps_DDRM.extract(v1, 0, v1.numRows, 0, i);
        DMatrixRMaj u2 = CommonOps_DDRM.extract(v2, 0, v2.numRows, 0, j);
        DMatrixRMaj overlap = new DMatrixRMaj(i, j);
        CommonOps_DDRM.multTransA(u1, u2, overlap);
        double f = NormOps_DDRM.normF(overlap);
        return f * f / Math.min(i, j);
    }

    /** φ for every i in [1, maxI] and j in [1, maxJ]: element [i-1][j-1]. */
    public double[][] grid() {
        double[][] out = new double[maxI()][maxJ()];
        for (int i = 1; i <= maxI(); i++) {
            for (int j = 1; j <= maxJ(); j++) {
                out[i - 1][j - 1] = phi(i, j);
            }
        }
        return out;
    }

    /** The grid as a long table with columns i, j, phi (one row per pair), ready for a heatmap. */
    public Table table(String name) {
        IntColumn is = IntColumn.create("i");
        IntColumn js = IntColumn.create("j");
        DoubleColumn phis = DoubleColumn.create("phi");
        double[][] g = grid();
        for (int i = 1; i <= maxI(); i++) {
            for (int j = 1; j <= maxJ(); j++) {
                is.append(i);
                js.append(j);
                phis.append(g[i - 1][j - 1]);
            }
        }
        return Table.create(name, is, js, phis);
    }
}
