package org.loralab.lora.variant.sora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.List;
import org.loralab.lora.variant.AbstractLayerAdapter;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.adalora.LowRankForm;
import org.loralab.lora.variant.adalora.LowRankParts;

/**
 * SoRA on one Linear layer (reference {@code LowRankLinear}, spec §16): {@code lora_A} [r, in] (kaiming uniform),
 * {@code gate} [1, r] (N(0,1)), {@code lora_B} [out, r] (zero); {@code ΔW = (α/r)·B·diag(g)·A}. On Conv2d and
 * Embedding it takes LoRA's form of the kind ({@link LowRankForm}) with the gate between A and B: A a kh×kw conv
 * in→r [r, in, kh, kw] and B a 1×1 conv r→out [out, r, 1, 1]; or {@code lora_embedding_A} [r, V] (zero) looked up
 * and {@code lora_embedding_B} [d, r] (N(0,1)) on top. Ranks whose gate is
 * exactly zero are dropped when saving; a layer built from a config with {@code surviving_ranks} has that rank and
 * keeps the scaling α/r of the original r.
 */
public final class SoraLayer extends AbstractLayerAdapter {
    private final String path;
    private final float dropout;
    private final LowRankForm form;
    private final Parameter loraA;
    private final Parameter gate;
    private final Parameter loraB;
    private NDManager saveScratch;

    SoraLayer(LayerSpec spec, SoraOptions o) {
        super(spec.base(), o.survivingRanks().getOrDefault(spec.path(), spec.r()), spec.alpha(), spec.scaling());
        this.path = spec.path();
        this.dropout = (float) spec.dropout();
        this.form = new LowRankForm(base, path, "SoRA");
        NDManager m = base.manager();
        loraA = LowRankParts.param(form.nameA(), m, form.shapeA(r));
        gate = LowRankParts.param("gate", m, new Shape(1, r));
        loraB = LowRankParts.param(form.nameB(), m, form.shapeB(r));
        String init = spec.init().family();
        if (!init.equals("true") && !init.equals("false")) {
            throw new IllegalArgumentException("SoRA supports init_lora_weights true or false, got " + spec.init());
        }
        form.initA(loraA, init.equals("true"), spec.random());
        LowRankParts.fillNormal(gate, spec.random(), 1.0);
        form.initB(loraB, init.equals("true"), r, spec.random());
        for (AdapterParam p : parameters()) {
            p.parameter().getArray().setRequiresGradient(true);
        }
    }

    /** Dotted path of the base layer. */
    public String path() {
        return path;
    }

    /** The gate [1, r]. */
    public Parameter gate() {
        return gate;
    }

    /** lora_A. */
    public Parameter loraA() {
        return loraA;
    }

    /** lora_B. */
    public Parameter loraB() {
        return loraB;
    }

    /** Trainable entries per rank: A's and B's ({@link LowRankForm#paramsPerRank}) plus the gate's one. */
    public long paramsPerRank() {
        return form.paramsPerRank() + 1;
    }

    /** Gates that are not exactly zero: the rank that survives pruning. */
    public int survivingRank() {
        return LowRankParts.count(nonZeroGates());
    }

    private boolean[] nonZeroGates() {
        float[] g = gate.getArray().toFloatArray();
        boolean[] keep = new boolean[g.length];
        for (int i = 0; i < g.length; i++) {
            keep[i] = g[i] != 0f;
        }
        return keep;
    }

    @Override
    public NDArray forward(AdapterInput in) {
        if (r == 0) {
            return in.baseOutput().zerosLike();
        }
        ParamSource ps = in.params();
        NDArray x = form.dropout(in.x(), dropout, in.training());
        return form.forward(x, ps.value(loraA), ps.value(gate), ps.value(loraB), scaling);
    }

    @Override
    public NDArray deltaWeight(ParamSource ps) {
        if (r == 0) {
            return base.weight().getArray().zerosLike();
        }
        return form.delta(ps.value(loraA), ps.value(gate), ps.value(loraB), scaling);
    }

    @Override
    public boolean weightPathExact() {
        return dropout == 0;
    }

    @Override
    public List<AdapterParam> parameters() {
        return List.of(new AdapterParam(form.nameA(), loraA, form.roleA(), true),
                new AdapterParam("gate", gate, ParamRole.GATE, true),
                new AdapterParam(form.nameB(), loraB, form.roleB(), true));
    }

    /** Drops the ranks whose gate is exactly zero (row of A, entry of g, column of B). */
    @Override
    public List<AdapterParam> savedParameters() {
        boolean[] keep = nonZeroGates();
        if (LowRankParts.all(keep)) {
            return parameters();
        }
        if (saveScratch != null) {
            saveScratch.close();
        }
        saveScratch = base.manager().newSubManager();
        return List.of(LowRankParts.savedCopy(form.nameA(), LowRankParts.rows(loraA.getArray(), keep, saveScratch), form.roleA()),
                LowRankParts.savedCopy("gate", LowRankParts.cols(gate.getArray(), keep, saveScratch), ParamRole.GATE),
                LowRankParts.savedCopy(form.nameB(), LowRankParts.cols(loraB.getArray(), keep, saveScratch), form.roleB()));
    }

    @Override
    public String variant() {
        return "sora";
    }

    @Override
    public void close() {
        loraA.close();
        gate.close();
        loraB.close();
        if (saveScratch != null) {
            saveScratch.close();
        }
    }
}
