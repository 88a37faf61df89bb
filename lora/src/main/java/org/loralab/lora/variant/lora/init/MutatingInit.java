package org.loralab.lora.variant.lora.init;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.loralab.lora.linalg.Matrices;
import org.loralab.lora.linalg.Qr;
import org.loralab.lora.linalg.QrResult;
import org.loralab.lora.linalg.RandomizedSvd;
import org.loralab.lora.linalg.Svd;
import org.loralab.lora.linalg.SvdResult;

/**
 * The maths of the inits that move part of W into the adapter and leave a residual in the base weight
 * (PiSSA, spec §6; OLoRA, spec §7). Everything is computed in double from the float32 W; A and B are rounded to
 * float32 first and the residual {@code W_res = W - s·B·A} is computed from the ROUNDED A and B, so
 * {@code W_res + s·B·A} reproduces W up to the final float rounding of W_res (as PEFT computes W_res from the fp32
 * A and B it keeps).
 *
 * @param a        A [r, in]
 * @param b        B [out, r]
 * @param residual W_res [out, in], to write into the base weight
 */
public record MutatingInit(float[][] a, float[][] b, float[][] residual) {

    /**
     * PiSSA: {@code U S Vh = svd(W)} (exact when {@code niter < 0}, else {@code svd_lowrank(W, q=r, niter)} drawn
     * from {@code random}), {@code S' = S_r / s}, {@code A = diag(√S') Vh_r}, {@code B = U_r diag(√S')}.
     *
     * @param w     W [out, in]
     * @param r     rank, 1 <= r <= min(out, in)
     * @param s     the layer's scaling (alpha/r or alpha/√r)
     * @param niter -1 for the exact SVD ({@code "pissa"}), K >= 0 for {@code "pissa_niter_K"}
     */
    public static MutatingInit pissa(float[][] w, int r, double s, int niter, Random random) {
        DMatrixRMaj wm = Matrices.fromFloats(w);
        checkRank("PiSSA", wm, r);
        SvdResult svd = niter < 0 ? Svd.top(wm, r) : RandomizedSvd.svdLowrank(wm, r, niter, random);
        int out = wm.numRows;
        int in = wm.numCols;
        float[][] a = new float[r][in];
        float[][] b = new float[out][r];
        for (int k = 0; k < r; k++) {
            double root = Math.sqrt(svd.s()[k] / s);
            for (int j = 0; j < in; j++) {
                a[k][j] = (float) (root * svd.vt().get(k, j));
            }
            for (int i = 0; i < out; i++) {
                b[i][k] = (float) (svd.u().get(i, k) * root);
            }
        }
        return new MutatingInit(a, b, residual(wm, a, b, s));
    }

    /** OLoRA: {@code Q R = qr(W)} (reduced, LAPACK signs), {@code B = Q[:, :r]}, {@code A = R[:r, :]}. */
    public static MutatingInit olora(float[][] w, int r, double s) {
        DMatrixRMaj wm = Matrices.fromFloats(w);
        checkRank("OLoRA", wm, r);
        QrResult qr = Qr.reduced(wm);
        int out = wm.numRows;
        int in = wm.numCols;
        float[][] a = new float[r][in];
        float[][] b = new float[out][r];
        for (int k = 0; k < r; k++) {
            for (int j = 0; j < in; j++) {
                a[k][j] = (float) qr.r().get(k, j);
            }
            for (int i = 0; i < out; i++) {
                b[i][k] = (float) qr.q().get(i, k);
            }
        }
        return new MutatingInit(a, b, residual(wm, a, b, s));
    }

    private static void checkRank(String name, DMatrixRMaj w, int r) {
        int k = Math.min(w.numRows, w.numCols);
        if (r < 1 || r > k) {
            throw new IllegalArgumentException(name + " needs 1 <= r <= min(out, in) = " + k + " for a "
                    + w.numRows + "x" + w.numCols + " weight, got r=" + r + "; lower r (or rank_pattern) for this layer");
        }
    }

    private static float[][] residual(DMatrixRMaj w, float[][] a, float[][] b, double s) {
        int out = w.numRows;
        int in = w.numCols;
        int r = a.length;
        float[][] res = new float[out][in];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < in; j++) {
                double ba = 0;
                for (int k = 0; k < r; k++) {
                    ba += (double) b[i][k] * a[k][j];
                }
                res[i][j] = (float) (w.get(i, j) - s * ba);
            }
        }
        return res;
    }
}
