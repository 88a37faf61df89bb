package org.loralab.lora.variant.loha;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.Random;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.lycoris.LycorisLayer;
import org.loralab.lora.variant.lycoris.ParamInit;
import org.loralab.lora.variant.lycoris.Tucker;

/**
 * LoHa on one Linear, Conv1d or Conv2d (spec §11): {@code ΔW = ((w1_a @ w1_b) ⊙ (w2_a @ w2_b)) · alpha/r},
 * or with {@code use_effective_conv2d} and a kernel larger than 1, the Hadamard product of two
 * Tucker-2 kernels {@code einsum(t_k, w_k_a, w_k_b)}. PEFT's tensor names: {@code hada_w1_a},
 * {@code hada_w1_b}, {@code hada_w2_a}, {@code hada_w2_b} (+ {@code hada_t1}, {@code hada_t2}).
 */
public final class LohaLayer extends LycorisLayer {
    private final boolean effective;
    private final Parameter w1a;
    private final Parameter w1b;
    private final Parameter w2a;
    private final Parameter w2b;
    private final Parameter t1;
    private final Parameter t2;

    LohaLayer(LayerSpec spec) {
        super(spec, true);
        this.effective = effectiveConv();
        long out = base.outFeatures();
        Shape ws = base.weightShape();
        long cIn = ws.get(1);
        if (effective) {
            long[] k = base.kernel().getShape();
            // Conv1d's core is [r, r, k, 1], as PEFT stores it
            Shape tShape = k.length == 1 ? new Shape(r, r, k[0], 1) : new Shape(r, r, k[0], k[1]);
            t1 = addParam("hada_t1", tShape, ParamRole.OTHER);
            w1a = addParam("hada_w1_a", new Shape(r, out), ParamRole.LORA_B);
            w1b = addParam("hada_w1_b", new Shape(r, cIn), ParamRole.LORA_A);
            t2 = addParam("hada_t2", tShape, ParamRole.OTHER);
            w2a = addParam("hada_w2_a", new Shape(r, out), ParamRole.LORA_B);
            w2b = addParam("hada_w2_b", new Shape(r, cIn), ParamRole.LORA_A);
        } else {
            long flatIn = ws.size() / out;
            t1 = null;
            t2 = null;
            w1a = addParam("hada_w1_a", new Shape(out, r), ParamRole.LORA_B);
            w1b = addParam("hada_w1_b", new Shape(r, flatIn), ParamRole.LORA_A);
            w2a = addParam("hada_w2_a", new Shape(out, r), ParamRole.LORA_B);
            w2b = addParam("hada_w2_b", new Shape(r, flatIn), ParamRole.LORA_A);
        }
        initialize(spec.init().family(), spec.random());
        finishInit();
    }

    /** {@code init_weights}: "true" zeroes hada_w2_b (a no-op at init), "false" draws every tensor. */
    private void initialize(String family, Random rnd) {
        if (!family.equals("true") && !family.equals("false")) {
            throw new IllegalArgumentException("LoHa init_weights must be true or false, got '" + family + "'");
        }
        for (Parameter p : new Parameter[] {t1, t2, w1a, w1b, w2a, w2b}) {
            if (p != null) {
                ParamInit.kaimingUniform(p, rnd);
            }
        }
        if (family.equals("true")) {
            ParamInit.zero(w2b);
        }
    }

    @Override
    protected NDArray unscaledDelta(ParamSource ps) {
        NDArray d;
        if (effective) {
            d = Tucker.kernel(ps.value(t1), ps.value(w1a), ps.value(w1b))
                    .mul(Tucker.kernel(ps.value(t2), ps.value(w2a), ps.value(w2b)));
        } else {
            d = ps.value(w1a).matMul(ps.value(w1b)).mul(ps.value(w2a).matMul(ps.value(w2b)));
        }
        return d.reshape(base.weightShape());
    }

    /** Whether the Tucker-2 (effective conv) form is used. */
    public boolean isEffectiveConv() {
        return effective;
    }

    @Override
    public String variant() {
        return "loha";
    }
}
