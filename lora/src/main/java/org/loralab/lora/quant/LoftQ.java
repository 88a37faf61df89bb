package org.loralab.lora.quant;

import ai.djl.ndarray.NDArray;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * LoftQ initialisation (PEFT {@code utils/loftq_utils.py}, spec §14): alternately quantise the residual and fit
 * a rank-r SVD to what quantisation lost.
 * <pre>
 * res = W
 * for t = 1..T:  Q = dequant(quant(res)); res = W - Q; U,S,Vh = svd(res)
 *                L = U[:, :r]·diag(√S[:r]); R = diag(√S[:r])·Vh[:r]; if t &lt; T: res = W - L·R
 * A = R, B = L (see {@link LoftQConfig.ScalingMode} for the scaling), base = Q
 * </pre>
 * W is {@code [out, in]} as PyTorch stores a Linear weight. The SVD runs in double (EJML); A and B are rounded to
 * fp32 once at the end.
 */
public final class LoftQ {
    private LoftQ() {
    }

    /**
     * @param weight  row-major {@code [out, in]} fp32 weight
     * @param rank    LoRA rank r, 1..min(out, in)
     * @param scaling the LoRA scaling s the forward pass will use (α/r, or α/√r with rsLoRA); only used by
     *                {@link LoftQConfig.ScalingMode#COMPENSATE_SCALING} and recorded in the result
     */
    public static LoftQResult initialize(float[] weight, int out, int in, int rank, double scaling, LoftQConfig config) {
        Shapes.checkedNumel(weight, new int[] {out, in});
        if (rank < 1 || rank > Math.min(out, in)) {
            throw new IllegalArgumentException("LoftQ rank must be in 1..min(out, in) = " + Math.min(out, in)
                    + ", got " + rank);
        }
        if (!(scaling > 0) || Double.isInfinite(scaling)) {
            throw new IllegalArgumentException("LoRA scaling must be a positive finite number, got " + scaling);
        }
        DMatrixRMaj w = new DMatrixRMaj(out, in);
        for (int i = 0; i < weight.length; i++) {
            w.data[i] = weight[i];
        }
        float[] toQuantize = weight.clone();
        double[] residualNorms = new double[config.iterations()];
        QuantizedWeight q = null;
        DMatrixRMaj l = null;
        DMatrixRMaj r = null;
        for (int t = 0; t < config.iterations(); t++) {
            q = quantize(toQuantize, out, in, config);
            DMatrixRMaj res = w.copy();
            float[] deq = q.dequantize();
            for (int i = 0; i < deq.length; i++) {
                res.data[i] -= deq[i];
            }
            DMatrixRMaj[] lr = rankRFactors(res, rank);
            l = lr[0];
            r = lr[1];
            DMatrixRMaj lrProduct = new DMatrixRMaj(out, in);
            CommonOps_DDRM.mult(l, r, lrProduct);
            CommonOps_DDRM.subtractEquals(res, lrProduct);
            residualNorms[t] = NormOps_DDRM.normF(res);
            if (t + 1 < config.iterations()) {
                for (int i = 0; i < toQuantize.length; i++) {
                    toQuantize[i] = (float) (w.data[i] - lrProduct.data[i]);
                }
            }
        }
        double factorScale = config.scalingMode() == LoftQConfig.ScalingMode.COMPENSATE_SCALING
                ? 1 / Math.sqrt(scaling) : 1;
        return new LoftQResult(q, toFloat(r, factorScale), toFloat(l, factorScale), out, in, rank, scaling, config,
                residualNorms);
    }

    /** {@link #initialize(float[], int, int, int, double, LoftQConfig)} for a 2-D fp32 NDArray {@code [out, in]}. */
    public static LoftQResult initialize(NDArray weight, int rank, double scaling, LoftQConfig config) {
        int[] shape = Shapes.toIntShape(weight.getShape());
        if (shape.length != 2) {
            throw new IllegalArgumentException("LoftQ needs a 2-D [out, in] weight, got shape " + weight.getShape());
        }
        return initialize(weight.toFloatArray(), shape[0], shape[1], rank, scaling, config);
    }

    /** The quantiser LoftQ uses for a bit width: NF4 (configured blocks, normally 64, no DQ) or int8 row-wise. */
    static QuantizedWeight quantize(float[] values, int out, int in, LoftQConfig config) {
        int[] shape = {out, in};
        return config.bits() == 4
                ? Nf4Weight.quantize(values, shape, config.nf4Options())
                : Int8RowwiseWeight.quantize(values, shape);
    }

    /** {L = U_r·diag(√S_r) [out, r], R = diag(√S_r)·V_rᵀ [r, in]} from a thin SVD, singular values descending. */
    private static DMatrixRMaj[] rankRFactors(DMatrixRMaj res, int rank) {
        SingularValueDecomposition_F64<DMatrixRMaj> svd =
                DecompositionFactory_DDRM.svd(res.numRows, res.numCols, true, true, true);
        if (!svd.decompose(res.copy())) {
            throw new IllegalStateException("SVD of the LoftQ residual did not converge");
        }
        DMatrixRMaj u = svd.getU(null, false);
        DMatrixRMaj v = svd.getV(null, false);
        DMatrixRMaj s = svd.getW(null);
        SingularOps_DDRM.descendingOrder(u, false, s, v, false);
        int out = res.numRows;
        int in = res.numCols;
        DMatrixRMaj l = new DMatrixRMaj(out, rank);
        DMatrixRMaj r = new DMatrixRMaj(rank, in);
        for (int k = 0; k < rank; k++) {
            double root = Math.sqrt(s.get(k, k));
            for (int o = 0; o < out; o++) {
                l.set(o, k, u.get(o, k) * root);
            }
            for (int i = 0; i < in; i++) {
                r.set(k, i, v.get(i, k) * root);
            }
        }
        return new DMatrixRMaj[] {l, r};
    }

    private static float[] toFloat(DMatrixRMaj m, double factor) {
        float[] out = new float[m.data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (m.data[i] * factor);
        }
        return out;
    }
}
