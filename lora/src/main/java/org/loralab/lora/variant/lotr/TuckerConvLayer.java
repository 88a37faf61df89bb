package org.loralab.lora.variant.lotr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import java.util.List;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.lycoris.ParamInit;
import org.loralab.lora.variant.lycoris.Tucker;

/**
 * Tucker-2 update of one Conv2d kernel (spec §18):
 * {@code ΔW[o,c,h,w] = s · Σ_{i,j} U_out[o,i] · G[i,j,h,w] · U_in[j,c]} with {@code tucker_out [out, r]},
 * {@code tucker_core [r, r, kh, kw]} (zero at init: a no-op) and {@code tucker_in [r, in]}, stored in
 * the layouts the 1×1 convolutions use directly ({@code [c_out, c_in]}). The factors are kaiming_uniform(a=sqrt(5)), as PEFT
 * draws its effective-conv factors (the spec gives no init for conv Tucker-2; LoTR's N(0, 1) is for its
 * Linear factors). The forward pass never builds ΔW: 1×1 conv in→r ({@code U_in}, computed as a
 * per-pixel matrix product), kh×kw conv r→r with the core and the base stride, padding and dilation,
 * then 1×1 conv r→out ({@code U_out}).
 * Parameters: {@code r·(in + out) + r²·kh·kw}.
 */
final class TuckerConvLayer extends LotrLayer {
    private final Parameter lhs;
    private final Parameter core;
    private final Parameter rhs;

    private TuckerConvLayer(LayerSpec spec, List<AdapterParam> own) {
        super(spec, own);
        this.lhs = param(own, "tucker_out");
        this.core = param(own, "tucker_core");
        this.rhs = param(own, "tucker_in");
    }

    static TuckerConvLayer create(LayerSpec spec) {
        if (spec.base().groups() != 1) {
            throw new IllegalArgumentException("Tucker-2 conv update on '" + spec.path() + "' needs groups=1, got groups="
                    + spec.base().groups() + "; exclude it or use LoHa/LoKr");
        }
        int r = spec.r();
        long[] k = spec.base().kernel().getShape();
        var m = spec.base().manager();
        Parameter lhs = ParamInit.zeros("tucker_out", m, new Shape(spec.base().outFeatures(), r));
        Parameter core = ParamInit.zeros("tucker_core", m, new Shape(r, r, k[0], k[1]));
        Parameter rhs = ParamInit.zeros("tucker_in", m, new Shape(r, spec.base().inFeatures()));
        ParamInit.kaimingUniform(lhs, spec.random());
        ParamInit.kaimingUniform(rhs, spec.random());
        if (spec.init().family().equals("false")) {
            ParamInit.kaimingUniform(core, spec.random());
        }
        return new TuckerConvLayer(spec, List.of(new AdapterParam("tucker_out", lhs, ParamRole.LORA_B, true),
                new AdapterParam("tucker_core", core, ParamRole.OTHER, true),
                new AdapterParam("tucker_in", rhs, ParamRole.LORA_A, true)));
    }

    @Override
    public NDArray forward(AdapterInput in) {
        ParamSource ps = in.params();
        NDArray h = pointwise(in.x(), ps.value(rhs));
        h = Conv2d.conv2d(h, ps.value(core), null, base.stride(), base.padding(), base.dilation(), 1).head();
        return pointwise(h, ps.value(lhs)).mul(scaling);
    }

    /**
     * The 1×1 convolution with weight {@code w [c_out, c_in]} on {@code x [N, c_in, H, W]}, computed as a
     * per-pixel matrix product over the channel axis (the same maths). With DJL 0.35.1 / PyTorch 2.7.1 on
     * CPU the weight gradient of a real 1×1 conv2d came back NaN in about one backward in five (seen with
     * [2,3,1,1] weights on [2,3,6,6] inputs), so the factors are applied as matrix products.
     */
    private static NDArray pointwise(NDArray x, NDArray w) {
        return Linear.linear(x.transpose(0, 2, 3, 1), w).head().transpose(0, 3, 1, 2);
    }

    /** The materialised kernel update (merge, analysis); the forward pass does not use it. */
    @Override
    public NDArray deltaWeight(ParamSource ps) {
        return Tucker.kernel(ps.value(core), ps.value(lhs).transpose(), ps.value(rhs)).mul(scaling);
    }
}
