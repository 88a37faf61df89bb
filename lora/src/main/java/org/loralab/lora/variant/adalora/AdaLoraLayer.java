package org.loralab.lora.variant.adalora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.loralab.lora.variant.AbstractLayerAdapter;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;

/**
 * AdaLoRA's {@code SVDLinear} / {@code SVDConv2d} (spec §10.1-10.3): {@code lora_A} [r, in] or [r, in·k…] (Q), {@code lora_E} [r, 1] (Λ),
 * {@code lora_B} [out, r] (P), {@code ΔW = B (A ⊙ E) · α/(init_r + 1e-5)}. Pruning zeroes E in place; the rows stay
 * until saving, when {@link #savedParameters()} slices them to the kept ranks. A layer built from a config whose
 * rank_pattern names it has only the kept ranks ({@code r = sum(mask)}) and keeps {@code ranknum = init_r}, so its
 * scaling is unchanged (PEFT's {@code resize_modules_by_rank_pattern}).
 *
 * <p>On an Embedding (an extension: PEFT's AdaLoRA has none) A is [r, V] and is looked up as a table, as LoRA's
 * {@code lora_embedding_A} (spec §2.4): {@code y = Emb(x; (A ⊙ E)ᵀ) Bᵀ · s}, B [d, r], ΔW = (B (A ⊙ E))ᵀ [V, d], no
 * dropout on the indices. The allocator treats its triplets like any other.
 */
public final class AdaLoraLayer extends AbstractLayerAdapter {
    /** PEFT adds this to ranknum in the scaling. */
    public static final double RANKNUM_EPS = 1e-5;

    private final String path;
    private final int initR;
    private final float dropout;
    /** LoRA's embedding form, on an Embedding only (null otherwise). */
    private final LowRankForm table;
    private final Parameter loraA;
    private final Parameter loraE;
    private final Parameter loraB;
    /** Kept ranks of this layer's rows as the allocator last decided (null: never masked). */
    private boolean[] keep;
    private NDManager saveScratch;

    AdaLoraLayer(LayerSpec spec, AdaLoraOptions o) {
        super(spec.base(), rankOf(spec, o), spec.alpha(), spec.alpha() / (o.initR() + RANKNUM_EPS));
        this.path = spec.path();
        this.initR = o.initR();
        this.dropout = (float) spec.dropout();
        if (base.kind().isConv() && base.groups() != 1) {
            throw new IllegalArgumentException("AdaLoRA on grouped conv '" + path + "' (groups=" + base.groups()
                    + ") is not supported; exclude it from targetModules");
        }
        this.table = base.kind() == LayerKind.EMBEDDING ? new LowRankForm(base, path, "AdaLoRA") : null;
        NDManager m = base.manager();
        loraA = LowRankParts.param("lora_A", m, new Shape(r, columns(base)));
        loraE = LowRankParts.param("lora_E", m, new Shape(r, 1));
        loraB = LowRankParts.param("lora_B", m, new Shape(base.outFeatures(), r));
        switch (spec.init().family()) {
            case "true":
                LowRankParts.fillNormal(loraA, spec.random(), 0.02);
                LowRankParts.fillNormal(loraB, spec.random(), 0.02);
                break;
            case "false":
                LowRankParts.fillNormal(loraA, spec.random(), 1.0);
                LowRankParts.fillNormal(loraE, spec.random(), 1.0);
                LowRankParts.fillNormal(loraB, spec.random(), 1.0);
                break;
            default:
                throw new IllegalArgumentException("AdaLoRA supports init_lora_weights true or false, got "
                        + spec.init() + " (PiSSA/OLoRA/LoftQ inits are LoRA-only)");
        }
        for (AdapterParam p : parameters()) {
            p.parameter().getArray().setRequiresGradient(true);
        }
    }

    /** Columns of A: in for Linear, in·k… for conv (PEFT's SVDConv2d flattens the kernel). */
    static long columns(BaseLayer base) {
        return base.kind().isConv() ? base.inFeatures() * base.kernel().size() : base.inFeatures();
    }

    /** Dotted path of the base layer. */
    public String path() {
        return path;
    }

    /** init_r, the rank the scaling divides by (PEFT's ranknum). */
    public int initRank() {
        return initR;
    }

    /** Ranks whose E is not zero (the effective rank after masking). */
    public int activeRank() {
        int n = 0;
        for (float v : loraE.getArray().toFloatArray()) {
            n += v != 0 ? 1 : 0;
        }
        return n;
    }

    /** lora_A. */
    public Parameter loraA() {
        return loraA;
    }

    /** lora_E. */
    public Parameter loraE() {
        return loraE;
    }

    /** lora_B. */
    public Parameter loraB() {
        return loraB;
    }

    /** The allocator's last mask for this layer's rows (null when never masked). */
    public boolean[] keptRanks() {
        return keep == null ? null : keep.clone();
    }

    /** Zeroes E where {@code mask} is false and remembers the mask for saving. */
    void applyMask(boolean[] mask) {
        if (mask.length != r) {
            throw new IllegalArgumentException("mask of " + mask.length + " ranks for layer '" + path + "' of rank " + r);
        }
        keep = mask.clone();
        if (LowRankParts.all(mask)) {
            return;
        }
        float[] m = new float[mask.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = mask[i] ? 1f : 0f;
        }
        NDArray e = loraE.getArray();
        try (NDArray factor = e.getManager().create(m, new Shape(m.length, 1))) {
            e.muli(factor); // in place, like an optimizer update, so trainers holding E see it
        }
    }

    @Override
    public NDArray forward(AdapterInput in) {
        if (r == 0) {
            return in.baseOutput().zerosLike();
        }
        ParamSource ps = in.params();
        if (table != null) {
            return table.forward(in.x(), ps.value(loraA), ps.value(loraE), ps.value(loraB), scaling);
        }
        NDArray x = LowRankParts.dropout(in.x(), dropout, in.training());
        if (base.kind().isConv()) {
            return base.apply(x, deltaWeight(ps), null); // conv with ΔW, as SVDConv2d
        }
        return LowRankParts.forward(x, ps.value(loraA), ps.value(loraE), ps.value(loraB), scaling);
    }

    @Override
    public NDArray deltaWeight(ParamSource ps) {
        if (r == 0) {
            return base.weight().getArray().zerosLike();
        }
        if (table != null) {
            return table.delta(ps.value(loraA), ps.value(loraE), ps.value(loraB), scaling);
        }
        NDArray d = LowRankParts.delta(ps.value(loraA), ps.value(loraE), ps.value(loraB), scaling);
        return base.kind().isConv() ? d.reshape(base.weightShape()) : d;
    }

    @Override
    public boolean weightPathExact() {
        return dropout == 0 || table != null;
    }

    /** r = sum(mask) for a layer named in rank_pattern, else init_r. */
    private static int rankOf(LayerSpec spec, AdaLoraOptions o) {
        boolean[] pattern = o.rankPattern().get(AdaLoraOptions.patternKey(spec.path()));
        return pattern == null ? o.initR() : LowRankParts.count(pattern);
    }

    @Override
    public List<AdapterParam> parameters() {
        return List.of(new AdapterParam("lora_A", loraA, roleA(), true),
                new AdapterParam("lora_E", loraE, ParamRole.VECTOR, true),
                new AdapterParam("lora_B", loraB, roleB(), true));
    }

    /** LoRA+'s groups see an embedding's factors as embedding tensors. */
    private ParamRole roleA() {
        return table != null ? table.roleA() : ParamRole.LORA_A;
    }

    private ParamRole roleB() {
        return table != null ? table.roleB() : ParamRole.LORA_B;
    }

    /** With a mask from the allocator, copies sliced to the kept ranks (PEFT's resize_state_dict_by_rank_pattern). */
    @Override
    public List<AdapterParam> savedParameters() {
        if (keep == null || LowRankParts.all(keep)) {
            return parameters();
        }
        if (saveScratch != null) {
            saveScratch.close();
        }
        saveScratch = base.manager().newSubManager();
        List<AdapterParam> out = new ArrayList<>();
        out.add(LowRankParts.savedCopy("lora_A", LowRankParts.rows(loraA.getArray(), keep, saveScratch), roleA()));
        out.add(LowRankParts.savedCopy("lora_E", LowRankParts.rows(loraE.getArray(), keep, saveScratch), ParamRole.VECTOR));
        out.add(LowRankParts.savedCopy("lora_B", LowRankParts.cols(loraB.getArray(), keep, saveScratch), roleB()));
        return out;
    }

    @Override
    public String variant() {
        return "adalora";
    }

    @Override
    public void close() {
        loraA.close();
        loraE.close();
        loraB.close();
        if (saveScratch != null) {
            saveScratch.close();
        }
    }
}
