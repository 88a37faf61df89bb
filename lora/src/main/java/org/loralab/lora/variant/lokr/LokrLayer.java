package org.loralab.lora.variant.lokr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.Random;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.lycoris.LycorisLayer;
import org.loralab.lora.variant.lycoris.ParamInit;
import org.loralab.lora.variant.lycoris.Tucker;

/**
 * LoKr on one Linear, Conv1d or Conv2d (spec §12): {@code ΔW = kron(w1, w2) · alpha/r} with
 * {@code (out_l, out_k) = factorization(out)}, {@code (in_m, in_n) = factorization(c_in)}; w1
 * [out_l, in_m] is full unless {@code decompose_both} and {@code r < max(out_l, in_m)/2}; w2
 * [out_k, in_n(, k..)] is full when {@code r >= max(out_k, in_n)/2}, otherwise low rank (flattened,
 * or Tucker-2 with {@code use_effective_conv2d} for kernels larger than 1). PEFT's names:
 * {@code lokr_w1} or {@code lokr_w1_a/_b}, {@code lokr_w2} or {@code lokr_w2_a/_b}, {@code lokr_t2}.
 */
public final class LokrLayer extends LycorisLayer {
    private final Parameter w1;
    private final Parameter w1a;
    private final Parameter w1b;
    private final Parameter w2;
    private final Parameter w2a;
    private final Parameter w2b;
    private final Parameter t2;

    LokrLayer(LayerSpec spec) {
        super(spec, spec.config().optionBoolean(LokrVariant.RANK_DROPOUT_SCALE, false));
        AdapterConfig c = spec.config();
        int factor = (int) c.optionLong(LokrVariant.DECOMPOSE_FACTOR, -1);
        boolean decomposeBoth = c.optionBoolean(LokrVariant.DECOMPOSE_BOTH, false);
        Shape ws = base.weightShape();
        int[] o = Factorization.factorize((int) ws.get(0), factor);
        int[] i = Factorization.factorize((int) ws.get(1), factor);
        long[] k = kind.isConv() ? base.kernel().getShape() : new long[0];
        long kSize = 1;
        for (long d : k) {
            kSize *= d;
        }
        boolean useW1 = !(decomposeBoth && r < Math.max(o[0], i[0]) / 2.0);
        boolean useW2 = r >= Math.max(o[1], i[1]) / 2.0;
        boolean effective = !useW2 && effectiveConv();
        if (useW1) {
            w1 = addParam("lokr_w1", new Shape(o[0], i[0]), ParamRole.OTHER);
            w1a = null;
            w1b = null;
        } else {
            w1 = null;
            w1a = addParam("lokr_w1_a", new Shape(o[0], r), ParamRole.LORA_B);
            w1b = addParam("lokr_w1_b", new Shape(r, i[0]), ParamRole.LORA_A);
        }
        if (useW2) {
            long[] s = new long[2 + k.length];
            s[0] = o[1];
            s[1] = i[1];
            System.arraycopy(k, 0, s, 2, k.length);
            w2 = addParam("lokr_w2", new Shape(s), ParamRole.OTHER);
            w2a = null;
            w2b = null;
            t2 = null;
        } else if (effective) {
            w2 = null;
            // Conv1d's core is [r, r, k, 1], as LoHa stores it
            t2 = addParam("lokr_t2", new Shape(r, r, k[0], k.length > 1 ? k[1] : 1), ParamRole.OTHER);
            w2a = addParam("lokr_w2_a", new Shape(r, o[1]), ParamRole.LORA_B);
            w2b = addParam("lokr_w2_b", new Shape(r, i[1]), ParamRole.LORA_A);
        } else {
            w2 = null;
            t2 = null;
            w2a = addParam("lokr_w2_a", new Shape(o[1], r), ParamRole.LORA_B);
            w2b = addParam("lokr_w2_b", new Shape(r, i[1] * kSize), ParamRole.LORA_A);
        }
        initialize(spec.init().family(), spec.random());
        finishInit();
    }

    /**
     * {@code init_weights}: "true" (PEFT's default) zeroes w1 (or w1_a); "lycoris" zeroes w2 (or
     * w2_b); "false" draws everything. Every other tensor is kaiming_uniform(a=sqrt(5)).
     */
    private void initialize(String family, Random rnd) {
        for (Parameter p : new Parameter[] {w1, w1a, w1b, w2, w2a, w2b, t2}) {
            if (p != null) {
                ParamInit.kaimingUniform(p, rnd);
            }
        }
        switch (family) {
            case "true":
                ParamInit.zero(w1 != null ? w1 : w1a);
                break;
            case "lycoris":
                ParamInit.zero(w2 != null ? w2 : w2b);
                break;
            case "false":
                break;
            default:
                throw new IllegalArgumentException("LoKr init_weights must be true, false or \"lycoris\", got '"
                        + family + "'");
        }
    }

    @Override
    protected NDArray unscaledDelta(ParamSource ps) {
        NDArray f1 = w1 != null ? ps.value(w1) : ps.value(w1a).matMul(ps.value(w1b));
        NDArray f2;
        if (w2 != null) {
            f2 = ps.value(w2);
        } else if (t2 != null) {
            f2 = Tucker.kernel(ps.value(t2), ps.value(w2a), ps.value(w2b));
        } else {
            f2 = ps.value(w2a).matMul(ps.value(w2b));
        }
        return Tucker.kron(f1, f2).reshape(base.weightShape());
    }

    @Override
    public String variant() {
        return "lokr";
    }
}
