package org.loralab.lora.variant.lotr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import java.util.List;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.lycoris.ParamInit;

/**
 * LoTR on one Linear (spec §18): {@code y = base(x) + s · ((drop(x) · rhs) · mid) · lhs} with the
 * group's shared {@code lhs [r, out]}, {@code rhs [in, r]} and this layer's core {@code lotr_mid [r, r]}
 * (zero at init: a no-op). ΔW = s · lhsᵀ · midᵀ · rhsᵀ.
 */
final class LotrLinearLayer extends LotrLayer {
    private final Parameter mid;
    private final Parameter lhs;
    private final Parameter rhs;
    private final float dropout;

    private LotrLinearLayer(LayerSpec spec, LotrSharedFactors shared, List<AdapterParam> own) {
        super(spec, own);
        this.mid = param(own, "lotr_mid");
        LotrSharedFactors.Pair f = shared.factorsFor(spec.base());
        this.lhs = f.lhs();
        this.rhs = f.rhs();
        this.dropout = (float) spec.dropout();
    }

    static LotrLinearLayer create(LayerSpec spec, LotrSharedFactors shared) {
        int r = spec.r();
        Parameter mid = ParamInit.zeros("lotr_mid", spec.base().manager(), new Shape(r, r));
        if (spec.init().family().equals("false")) {
            ParamInit.kaimingUniform(mid, spec.random());
        }
        return new LotrLinearLayer(spec, shared, List.of(new AdapterParam("lotr_mid", mid, ParamRole.OTHER, true)));
    }

    @Override
    public NDArray forward(AdapterInput in) {
        NDArray x = dropout > 0 ? Dropout.dropout(in.x(), dropout, in.training()).head() : in.x();
        ParamSource ps = in.params();
        return x.matMul(ps.value(rhs)).matMul(ps.value(mid)).matMul(ps.value(lhs)).mul(scaling);
    }

    @Override
    public NDArray deltaWeight(ParamSource ps) {
        return ps.value(rhs).matMul(ps.value(mid)).matMul(ps.value(lhs)).transpose().mul(scaling);
    }

    @Override
    public boolean weightPathExact() {
        return dropout == 0;
    }
}
