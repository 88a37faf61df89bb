package org.loralab.lora.variant.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import java.util.ArrayList;
import java.util.List;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.AbstractLayerAdapter;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.lycoris.ParamInit;

/**
 * A mixture of rank-1 experts on one Linear (spec §17b): expert i is {@code b_i a_iᵀ} (row i of
 * {@code lora_A [r, in]}, column i of {@code lora_B [out, r]}), and a gate {@code w ∈ R^r} weights them:
 * {@code Δy = s · ((drop(x) Aᵀ) ⊙ w) Bᵀ}, s = alpha/r. With {@code router=token} (default) the gate is
 * per token, {@code w = gate(x W_gᵀ)} with {@code lora_router.weight [r, in]}; with
 * {@code router=static} it is one learned vector, {@code w = gate(lora_router_logits [r])}. The gate
 * keeps the {@code top_k} largest logits (ties may keep more) and applies softmax over the kept ones
 * ({@code router_activation=softmax}) or a sigmoid masked to them ({@code sigmoid}).
 * B is zero at init (a no-op); A and the token router are kaiming_uniform(a=sqrt(5)), static logits 0.
 *
 * <p>Merging: a token router makes ΔW depend on the input, so there is no single ΔW and
 * {@link #deltaWeight} / {@link #merge} throw UnsupportedOperationException; the static router is
 * input-independent and merges as {@code W += s · B diag(w) A}. With {@code balance_loss_coef > 0}
 * each training forward of a token router records a load-balancing term ({@link RouterBalanceLoss}).
 */
public final class Rank1MoeLayer extends AbstractLayerAdapter {
    private final String path;
    private final float dropout;
    private final int topK;
    private final boolean tokenRouter;
    private final boolean sigmoid;
    private final Parameter a;
    private final Parameter b;
    private final Parameter router;
    private final List<AdapterParam> params = new ArrayList<>();
    private final RouterBalanceLoss balance;

    Rank1MoeLayer(LayerSpec spec, RouterBalanceLoss balance) {
        super(spec.base(), spec.r(), spec.alpha(), spec.scaling());
        this.balance = balance;
        AdapterConfig c = spec.config();
        this.path = spec.path();
        this.dropout = (float) spec.dropout();
        this.topK = (int) Math.min(r, c.optionLong(Rank1MoeVariant.TOP_K, r));
        this.tokenRouter = Rank1MoeVariant.tokenRouter(c);
        this.sigmoid = "sigmoid".equals(c.options().getOrDefault(Rank1MoeVariant.ROUTER_ACTIVATION, "softmax"));
        var m = base.manager();
        a = ParamInit.zeros("lora_A", m, new Shape(r, base.inFeatures()));
        b = ParamInit.zeros("lora_B", m, new Shape(base.outFeatures(), r));
        router = tokenRouter ? ParamInit.zeros("lora_router", m, new Shape(r, base.inFeatures()))
                : ParamInit.zeros("lora_router_logits", m, new Shape(r));
        ParamInit.kaimingUniform(a, spec.random());
        if (tokenRouter) {
            ParamInit.kaimingUniform(router, spec.random());
        }
        if (spec.init().family().equals("false")) {
            ParamInit.kaimingUniform(b, spec.random());
            if (!tokenRouter) {
                ParamInit.normal(router, spec.random(), 1.0);
            }
        }
        params.add(new AdapterParam("lora_A.weight", a, ParamRole.LORA_A, true));
        params.add(new AdapterParam("lora_B.weight", b, ParamRole.LORA_B, true));
        params.add(new AdapterParam(tokenRouter ? "lora_router.weight" : "lora_router_logits", router, ParamRole.OTHER, true));
        for (AdapterParam p : params) {
            p.parameter().getArray().setRequiresGradient(true);
        }
    }

    /** The gate for router logits [..., r]: top-k mask, then softmax over the kept logits or a masked sigmoid. */
    NDArray gate(NDArray logits) {
        return gate(logits, false);
    }

    private NDArray gate(NDArray logits, boolean recordBalance) {
        NDArray mask = null;
        if (topK < r) {
            NDArray sorted = logits.stopGradient().sort(-1);
            NDArray kth = sorted.get(new NDIndex("..., " + (r - topK))).expandDims(-1);
            mask = logits.stopGradient().gte(kth);
        }
        if (recordBalance) {
            balance.record(logits, mask == null ? logits.onesLike() : mask.toType(DataType.FLOAT32, false));
        }
        if (sigmoid) {
            NDArray w = ai.djl.nn.Activation.sigmoid(logits);
            return mask == null ? w : w.mul(mask.toType(DataType.FLOAT32, false));
        }
        if (mask == null) {
            return logits.softmax(-1);
        }
        NDArray minusInf = logits.getManager().full(new Shape(), Float.NEGATIVE_INFINITY);
        return NDArrays.where(mask, logits, minusInf.broadcast(logits.getShape())).softmax(-1);
    }

    @Override
    public NDArray forward(AdapterInput in) {
        ParamSource ps = in.params();
        NDArray x = dropout > 0 ? Dropout.dropout(in.x(), dropout, in.training()).head() : in.x();
        NDArray h = Linear.linear(x, ps.value(a)).head();
        boolean record = in.training() && tokenRouter && balance.enabled();
        NDArray w = tokenRouter ? gate(Linear.linear(x, ps.value(router)).head(), record) : gate(ps.value(router));
        return Linear.linear(h.mul(w), ps.value(b)).head().mul(scaling);
    }

    @Override
    public NDArray deltaWeight(ParamSource ps) {
        if (tokenRouter) {
            throw new UnsupportedOperationException("moe (mixture of rank-1 experts) on '" + path + "': with router=token "
                    + "the update depends on the input, so there is no single ΔW to merge or use on the weight path; "
                    + "keep the adapter unmerged, or use option router=static for an input-independent, mergeable gate");
        }
        NDArray w = gate(ps.value(router));
        return ps.value(b).mul(w.expandDims(0)).matMul(ps.value(a)).mul(scaling);
    }

    @Override
    public boolean weightPathExact() {
        return !tokenRouter && dropout == 0;
    }

    /** How many experts the gate keeps per token. */
    public int topK() {
        return topK;
    }

    @Override
    public String variant() {
        return "moe";
    }

    @Override
    public List<AdapterParam> parameters() {
        return List.copyOf(params);
    }

    @Override
    public void close() {
        for (AdapterParam p : params) {
            p.parameter().close();
        }
    }
}
