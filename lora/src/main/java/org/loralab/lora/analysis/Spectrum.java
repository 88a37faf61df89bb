package org.loralab.lora.analysis;

import java.util.Arrays;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.NormOps_DDRM;
import org.loralab.lora.linalg.RandomizedSvd;
import org.loralab.lora.linalg.Svd;

/**
 * The singular values of one matrix, descending, and the measures derived from them.
 *
 * <p>{@code totalEnergy} is {@code ||A||_F^2 = Σ σ_i^2} over ALL singular values, so energy fractions stay
 * correct for a partial spectrum computed with the randomized SVD.
 *
 * @param values      singular values, descending (all of them, or the leading ones when {@code complete} is false)
 * @param totalEnergy squared Frobenius norm of the matrix
 * @param complete    whether {@code values} holds all min(m, n) singular values
 */
public record Spectrum(double[] values, double totalEnergy, boolean complete) {

    /** Exact spectrum (all min(m,n) singular values, EJML SVD). */
    public static Spectrum of(DMatrixRMaj a) {
        double fro = NormOps_DDRM.normF(a);
        return new Spectrum(Svd.values(a), fro * fro, true);
    }

    /**
     * The leading {@code k} singular values from the randomized SVD (spec Appendix B), for large matrices.
     * {@code niter} power iterations; 4 is usually enough for a spectrum plot, 16 is close to exact.
     */
    public static Spectrum top(DMatrixRMaj a, int k, int niter, long seed) {
        double fro = NormOps_DDRM.normF(a);
        double[] s = RandomizedSvd.svdLowrank(a, k, niter, new Random(seed)).s();
        return new Spectrum(s, fro * fro, k == Math.min(a.numRows, a.numCols));
    }

    /**
     * The spectrum of a matrix expected to have rank <= k (a LoRA update): randomized SVD with q = k and 4 power
     * iterations, accepted as complete when it captures all of {@code ||A||_F^2} (relative residual <= 1e-9), so the
     * remaining singular values are zero; otherwise falls back to the exact {@link #of}. Much faster than the
     * exact SVD for large layers (768x768: about 2 s exact).
     */
    public static Spectrum ofLowRank(DMatrixRMaj a, int k) {
        int q = Math.min(k, Math.min(a.numRows, a.numCols));
        double fro = NormOps_DDRM.normF(a);
        double total = fro * fro;
        if (q < 1 || total == 0) {
            return of(a);
        }
        double[] s = RandomizedSvd.svdLowrank(a, q, 4, new Random(0)).s();
        double captured = 0;
        for (double v : s) {
            captured += v * v;
        }
        if (Math.abs(total - captured) <= 1e-9 * total) {
            return new Spectrum(s, total, true);
        }
        return of(a);
    }

    public int size() {
        return values.length;
    }

    /** Fraction of {@code ||A||_F^2} captured by the top {@code k} singular values: Σ_{i<k} σ_i^2 / Σ σ_i^2. */
    public double energy(int k) {
        if (k < 0 || k > values.length) {
            throw new IllegalArgumentException("k must be in [0, " + values.length + "], got " + k);
        }
        if (totalEnergy == 0) {
            return 1.0;
        }
        double sum = 0;
        for (int i = 0; i < k; i++) {
            sum += values[i] * values[i];
        }
        return Math.min(1.0, sum / totalEnergy);
    }

    /** Cumulative energy fractions: element k-1 is {@link #energy(int) energy(k)}. */
    public double[] cumulativeEnergy() {
        double[] out = new double[values.length];
        for (int k = 1; k <= values.length; k++) {
            out[k - 1] = energy(k);
        }
        return out;
    }

    /** Smallest k whose top-k energy reaches {@code fraction} (e.g. 0.9); -1 when the values held do not reach it. */
    public int rankForEnergy(double fraction) {
        for (int k = 0; k <= values.length; k++) {
            if (energy(k) >= fraction - 1e-15) {
                return k;
            }
        }
        return -1;
    }

    /**
     * Effective rank of Roy and Vetterli (2007): {@code exp(H(p))} with {@code p_i = σ_i / Σ σ_j} and the Shannon
     * entropy {@code H(p) = -Σ p_i ln p_i} (0 ln 0 = 0). It is 1 for a rank-1 matrix, n for a multiple of an
     * orthogonal n×n matrix, and between 1 and rank(A) otherwise; 0 for the zero matrix. Needs the complete
     * spectrum (zero singular values left out of {@code values} do not change it).
     */
    public double effectiveRank() {
        if (!complete) {
            throw new IllegalStateException("effective rank needs every singular value; use Spectrum.of(a)");
        }
        double l1 = Arrays.stream(values).sum();
        if (l1 == 0) {
            return 0;
        }
        double h = 0;
        for (double v : values) {
            double p = v / l1;
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return Math.exp(h);
    }

    /** Stable rank {@code ||A||_F^2 / σ_1^2}, a cheaper robust rank measure; 0 for the zero matrix. */
    public double stableRank() {
        return values.length == 0 || values[0] == 0 ? 0 : totalEnergy / (values[0] * values[0]);
    }
}
