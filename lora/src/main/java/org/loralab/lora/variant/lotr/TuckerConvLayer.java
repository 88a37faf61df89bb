package org.loralab.lora.variant.lotr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.List;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.lycoris.ParamInit;
import org.loralab.lora.variant.lycoris.Tucker;

/**
 * Tucker-2 update of one Conv1d, Conv2d or Conv3d kernel (spec §18):
 * {@code ΔW[o,c,k...] = s · Σ_{i,j} U_out[o,i] · G[i,j,k...] · U_in[j,c]} with {@code tucker_out [out, r]},
 * {@code tucker_core [r, r, k...]} (zero at init: a no-op) and {@code tucker_in [r, in]}, stored in the
 * layouts the 1×1 convolutions use directly ({@code [c_out, c_in]}).
 *
 * <p>A grouped conv (g groups, weight [out, in/g, k...]) gets one Tucker-2 product per group, since a
 * group's outputs only see its own inputs: {@code tucker_in [g·r, in/g]}, {@code tucker_core [g·r, r, k...]}
 * and {@code tucker_out [out, r]}, group q owning rows q·r.. of the first two and its out/g rows of the
 * last. The stages are then grouped with the base's g, so ΔW keeps the base weight's shape and the
 * forward stays exact. With g = 1 the tensors are the ungrouped ones above.
 *
 * <p>The factors are kaiming_uniform(a=sqrt(5)), as PEFT draws its effective-conv factors (the spec gives
 * no init for conv Tucker-2; LoTR's N(0, 1) is for its Linear factors). The forward pass never builds
 * ΔW [out, in/g, k...]: it folds U_in into the core ({@link #inputKernel}, [g·r, in/g, k...], the size of a
 * LoRA A kernel), runs that as one conv in→g·r with the base stride, padding, dilation and groups, then
 * a pointwise map g·r→out ({@code U_out}) as batched matrix products over the channel axis. Running U_in
 * as its own pointwise stage before an r→r core conv would put U_in's gradient behind the engine's conv
 * input gradient with r output channels, which DJL 0.35.1 / PyTorch 2.7.1 computes wrong (often NaN) on
 * this machine's CPU whenever the output channels are not a multiple of 16 (EngineConvCheck); conv
 * weight gradients are right. Parameters: {@code r·(in + out) + g·r²·∏k}.
 */
final class TuckerConvLayer extends LotrLayer {
    private final Parameter lhs;
    private final Parameter core;
    private final Parameter rhs;
    private final int groups;

    private TuckerConvLayer(LayerSpec spec, List<AdapterParam> own) {
        super(spec, own);
        this.lhs = param(own, "tucker_out");
        this.core = param(own, "tucker_core");
        this.rhs = param(own, "tucker_in");
        this.groups = spec.base().groups();
    }

    static TuckerConvLayer create(LayerSpec spec) {
        BaseLayer b = spec.base();
        int r = spec.r();
        int g = b.groups();
        var m = b.manager();
        Parameter lhs = ParamInit.zeros("tucker_out", m, new Shape(b.outFeatures(), r));
        Parameter core = ParamInit.zeros("tucker_core", m, new Shape((long) g * r, r).addAll(b.kernel()));
        Parameter rhs = ParamInit.zeros("tucker_in", m, new Shape((long) g * r, b.inFeatures() / g));
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
        NDArray h = base.apply(in.x(), inputKernel(ps.value(core), ps.value(rhs), groups), null);
        return pointwise(h, ps.value(lhs), groups).mul(scaling);
    }

    /**
     * The core with its input factor folded in, {@code K[q·r+i, c, k...] = Σ_j G[q·r+i, j, k...] · U_in[q·r+j, c]}:
     * [g·r, in/g, k...], the size of a LoRA A kernel, not of ΔW. Running the first two stages as one conv keeps
     * every factor's gradient on matrix products and a conv weight gradient (see the class comment).
     */
    static NDArray inputKernel(NDArray core, NDArray in, int groups) {
        Shape cs = core.getShape();
        long r = cs.get(1);
        long k = cs.size() / (cs.get(0) * r);
        long inG = in.getShape().get(1);
        // [g, r, k, r] @ [g, 1, r, in/g] -> [g, r, k, in/g]
        NDArray t = core.reshape(groups, r, r, k).transpose(0, 1, 3, 2).matMul(in.reshape(groups, 1, r, inG));
        return t.transpose(0, 1, 3, 2).reshape(new Shape(cs.get(0), inG).addAll(cs.slice(2)));
    }

    /**
     * The grouped 1×1 convolution with weight {@code w [c_out, c_in/g]} on {@code x [N, c_in, spatial...]}:
     * per group, a matrix product over the channel axis (faster than the engine's 1×1 conv here, see
     * bench/lora/tucker_pointwise.sh).
     */
    static NDArray pointwise(NDArray x, NDArray w, int groups) {
        Shape xs = x.getShape();
        long n = xs.get(0);
        long cout = w.getShape().get(0);
        long cinG = w.getShape().get(1);
        Shape spatial = xs.slice(2);
        NDArray y = w.reshape(groups, cout / groups, cinG).matMul(x.reshape(n, groups, cinG, spatial.size()));
        return y.reshape(new Shape(n, cout).addAll(spatial));
    }

    /** The materialised kernel update (merge, analysis); the forward pass does not use it. */
    @Override
    public NDArray deltaWeight(ParamSource ps) {
        return Tucker.groupedKernel(ps.value(core), ps.value(lhs), ps.value(rhs), groups).mul(scaling);
    }
}
