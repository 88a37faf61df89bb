package org.loralab.lora.variant.lycoris;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Tensor products used by LoHa/LoKr's effective conv and LoTR (spec §11.3, §12.4, §18). */
public final class Tucker {
    private Tucker() {}

    /**
     * The Tucker-2 kernel {@code K[p,q,h,w] = Σ_{i,j} t[i,j,h,w] · wa[i,p] · wb[j,q]} (PEFT's
     * {@code einsum("i j k l, i p, j r -> p r k l", t, wa, wb)}).
     *
     * @param t core [r1, r2, k...]
     * @param wa out factor [r1, out]
     * @param wb in factor [r2, in]
     * @return [out, in, k...]
     */
    public static NDArray kernel(NDArray t, NDArray wa, NDArray wb) {
        Shape ts = t.getShape();
        long r1 = ts.get(0);
        long r2 = ts.get(1);
        long k = ts.size() / (r1 * r2);
        long out = wa.getShape().get(1);
        long in = wb.getShape().get(1);
        // [in, r2] @ [r1, r2, k] -> [r1, in, k]; then [out, r1] @ [r1, in*k] -> [out, in*k] (contiguous)
        NDArray tk = wb.transpose().matMul(t.reshape(r1, r2, k));
        NDArray y = wa.transpose().matMul(tk.reshape(r1, in * k));
        long[] shape = new long[ts.dimension()];
        shape[0] = out;
        shape[1] = in;
        for (int d = 2; d < ts.dimension(); d++) {
            shape[d] = ts.get(d);
        }
        return y.reshape(new Shape(shape));
    }

    /**
     * The Tucker-2 update of a grouped conv kernel, one independent Tucker-2 product per group q
     * ({@code K_q = U_out,q · G_q ×₂ U_in,q}), stacked along the output channels; with one group it equals
     * {@link #kernel}{@code (t, outFactor.transpose(), inFactor)}.
     *
     * @param t cores [g·r, r, k...] (group q's core is rows q·r .. q·r + r - 1)
     * @param outFactor [out, r] (group q's factor is its out/g rows)
     * @param inFactor [g·r, in/g] (group q's factor is rows q·r .. q·r + r - 1)
     * @param groups g
     * @return [out, in/g, k...], the layout of a grouped conv weight
     */
    public static NDArray groupedKernel(NDArray t, NDArray outFactor, NDArray inFactor, int groups) {
        Shape ts = t.getShape();
        long r = ts.get(1);
        long k = ts.size() / (ts.get(0) * r);
        long out = outFactor.getShape().get(0);
        long inG = inFactor.getShape().get(1);
        // [g, 1, in/g, r] @ [g, r, r, k] -> [g, r, in/g, k]; [g, out/g, r] @ [g, r, in/g*k] -> [g, out/g, in/g*k]
        NDArray tk = inFactor.reshape(groups, r, inG).transpose(0, 2, 1).expandDims(1)
                .matMul(t.reshape(groups, r, r, k));
        NDArray y = outFactor.reshape(groups, out / groups, r).matMul(tk.reshape(groups, r, inG * k));
        long[] shape = new long[ts.dimension()];
        shape[0] = out;
        shape[1] = inG;
        for (int d = 2; d < ts.dimension(); d++) {
            shape[d] = ts.get(d);
        }
        return y.reshape(new Shape(shape));
    }

    /**
     * {@code torch.kron(a, b)} for a 2-D {@code a} [a0, a1] and a 2-D or higher {@code b} [b0, b1, k...]
     * (a is unsqueezed to [a0, a1, 1...] as PEFT's make_kron does): [a0*b0, a1*b1, k...].
     */
    public static NDArray kron(NDArray a, NDArray b) {
        Shape bs = b.getShape();
        long a0 = a.getShape().get(0);
        long a1 = a.getShape().get(1);
        long b0 = bs.get(0);
        long b1 = bs.get(1);
        long k = bs.size() / (b0 * b1);
        NDArray x = a.reshape(a0, 1, a1, 1, 1).mul(b.reshape(1, b0, 1, b1, k));
        long[] shape = new long[bs.dimension()];
        shape[0] = a0 * b0;
        shape[1] = a1 * b1;
        for (int d = 2; d < bs.dimension(); d++) {
            shape[d] = bs.get(d);
        }
        return x.reshape(new Shape(shape));
    }
}
