package org.loralab.lora.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.loralab.lora.linalg.Matrices;
import org.loralab.lora.linalg.Qr;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

/**
 * A teaching task whose answer has a known rank: a "pretrained" linear map W0 [out, in] and a fine-tuning target
 * {@code y = x (W0 + ΔW)ᵀ + noise} where the true update ΔW has rank exactly {@code k} (singular values
 * k·scale, (k-1)·scale, ..., scale). Freezing W0 and training LoRA of rank r recovers ΔW when r >= k and cannot
 * when r < k: {@link #bestRankRError(int)} is the error floor of any rank-r update.
 */
public final class LowRankRegression {
    private final float[][] baseWeight;
    private final float[][] trueUpdate;
    private final float[][] x;
    private final float[][] y;
    private final int rank;

    private LowRankRegression(float[][] baseWeight, float[][] trueUpdate, float[][] x, float[][] y, int rank) {
        this.baseWeight = baseWeight;
        this.trueUpdate = trueUpdate;
        this.x = x;
        this.y = y;
        this.rank = rank;
    }

    /**
     * @param in      input features
     * @param out     output features
     * @param k       rank of the true update, 1 <= k <= min(in, out)
     * @param samples number of examples (in fast mode at most 256)
     * @param noise   standard deviation of the Gaussian label noise
     * @param seed    everything is drawn from this seed
     */
    public static LowRankRegression create(int in, int out, int k, int samples, double noise, long seed) {
        if (k < 1 || k > Math.min(in, out)) {
            throw new IllegalArgumentException("rank k must be in [1, min(in, out)] = [1, " + Math.min(in, out)
                    + "], got " + k);
        }
        int n = (int) FastMode.limit(samples, 256);
        Random rnd = new Random(seed);
        DMatrixRMaj w0 = gaussian(out, in, 1.0 / Math.sqrt(in), rnd);
        DMatrixRMaj u = Qr.reduced(gaussian(out, k, 1, rnd)).q();
        DMatrixRMaj v = Qr.reduced(gaussian(in, k, 1, rnd)).q();
        double scale = 1.0 / k;
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < out; i++) {
                u.set(i, j, u.get(i, j) * (k - j) * scale);
            }
        }
        DMatrixRMaj dw = new DMatrixRMaj(out, in);
        CommonOps_DDRM.multTransB(u, v, dw);
        DMatrixRMaj xs = gaussian(n, in, 1, rnd);
        DMatrixRMaj w = new DMatrixRMaj(out, in);
        CommonOps_DDRM.add(w0, dw, w);
        DMatrixRMaj ys = new DMatrixRMaj(n, out);
        CommonOps_DDRM.multTransB(xs, w, ys);
        for (int i = 0; i < ys.data.length; i++) {
            ys.data[i] += noise * rnd.nextGaussian();
        }
        return new LowRankRegression(Matrices.toFloats(w0), Matrices.toFloats(dw), Matrices.toFloats(xs),
                Matrices.toFloats(ys), k);
    }

    private static DMatrixRMaj gaussian(int rows, int cols, double std, Random rnd) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = std * rnd.nextGaussian();
        }
        return m;
    }

    /** W0 [out, in]: set it as the frozen Linear weight. */
    public float[][] baseWeight() {
        return baseWeight;
    }

    /** The true ΔW [out, in], rank k. */
    public float[][] trueUpdate() {
        return trueUpdate;
    }

    public int trueRank() {
        return rank;
    }

    /** Inputs [n, in]. */
    public float[][] inputs() {
        return x;
    }

    /** Targets [n, out]. */
    public float[][] targets() {
        return y;
    }

    public int size() {
        return x.length;
    }

    /**
     * {@code ||ΔW - best rank-r approximation of ΔW||_F / ||ΔW||_F}: 0 for r >= k, > 0 for r < k. What a perfectly
     * trained rank-r LoRA could reach on noise-free data.
     */
    public double bestRankRError(int r) {
        double[] s = org.loralab.lora.linalg.Svd.values(Matrices.fromFloats(trueUpdate));
        double total = 0;
        double tail = 0;
        for (int i = 0; i < s.length; i++) {
            total += s[i] * s[i];
            if (i >= r) {
                tail += s[i] * s[i];
            }
        }
        return Math.sqrt(tail / total);
    }

    /** A DJL dataset of (x [in], y [out]) float32 pairs owned by {@code manager}. */
    public ArrayDataset dataset(NDManager manager, int batchSize, boolean shuffle) {
        return new ArrayDataset.Builder()
                .setData(manager.create(flatten(x), new Shape(x.length, x[0].length)))
                .optLabels(manager.create(flatten(y), new Shape(y.length, y[0].length)))
                .setSampling(batchSize, shuffle)
                .build();
    }

    /** One row per example: columns x0.., y0... */
    public Table toTable() {
        Table t = Table.create("low-rank regression (k=" + rank + ")");
        for (int j = 0; j < x[0].length; j++) {
            t.addColumns(column("x" + j, x, j));
        }
        for (int j = 0; j < y[0].length; j++) {
            t.addColumns(column("y" + j, y, j));
        }
        return t;
    }

    static DoubleColumn column(String name, float[][] m, int j) {
        double[] v = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            v[i] = m[i][j];
        }
        return DoubleColumn.create(name, v);
    }

    static float[] flatten(float[][] m) {
        int cols = m.length == 0 ? 0 : m[0].length;
        float[] out = new float[m.length * cols];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, out, i * cols, cols);
        }
        return out;
    }
}
