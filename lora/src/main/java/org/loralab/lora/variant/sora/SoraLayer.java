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
import org.loralab.lora.variant.adalora.LowRankParts;

/**
 * SoRA on one Linear layer (reference {@code LowRankLinear}, spec §16): {@code lora_A} [r, in] (kaiming uniform),
 * {@code gate} [1, r] (N(0,1)), {@code lora_B} [out, r] (zero); {@code ΔW = (α/r)·B·diag(g)·A}. Ranks whose gate is
 * exactly zero are dropped when saving; a layer built from a config with {@code surviving_ranks} has that rank and
 * keeps the scaling α/r of the original r.
 */
public final class SoraLayer extends AbstractLayerAdapter {
    private final String path;
    private final float dropout;
    private final Parameter loraA;
    private final Parameter gate;
    private final Parameter loraB;
    private NDManager saveScratch;

    SoraLayer(LayerSpec spec, SoraOptions o) {
        super(spec.base(), o.survivingRanks().getOrDefault(spec.path(), spec.r()), spec.alpha(), spec.scaling());
        this.path = spec.path();
        this.dropout = (float) spec.dropout();
        NDManager m = base.manager();
        loraA = LowRankParts.param("lora_A", m, new Shape(r, base.inFeatures()));
        gate = LowRankParts.param("gate", m, new Shape(1, r));
        loraB = LowRankParts.param("lora_B", m, new Shape(base.outFeatures(), r));
        switch (spec.init().family()) {
            case "true":
                LowRankParts.fillUniform(loraA, spec.random(), 1.0 / Math.sqrt(base.inFeatures()));
                LowRankParts.fillNormal(gate, spec.random(), 1.0);
                break;
            case "false":
                LowRankParts.fillUniform(loraA, spec.random(), 1.0 / Math.sqrt(base.inFeatures()));
                LowRankParts.fillNormal(gate, spec.random(), 1.0);
                LowRankParts.fillUniform(loraB, spec.random(), 1.0 / Math.sqrt(Math.max(1, r)));
                break;
            default:
                throw new IllegalArgumentException("SoRA supports init_lora_weights true or false, got " + spec.init());
        }
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
        NDArray x = LowRankParts.dropout(in.x(), dropout, in.training());
        return LowRankParts.forward(x, ps.value(loraA), ps.value(gate), ps.value(loraB), scaling);
    }

    @Override
    public NDArray deltaWeight(ParamSource ps) {
        if (r == 0) {
            return base.weight().getArray().zerosLike();
        }
        return LowRankParts.delta(ps.value(loraA), ps.value(gate), ps.value(loraB), scaling);
    }

    @Override
    public boolean weightPathExact() {
        return dropout == 0;
    }

    @Override
    public List<AdapterParam> parameters() {
        return List.of(new AdapterParam("lora_A", loraA, ParamRole.LORA_A, true),
                new AdapterParam("gate", gate, ParamRole.GATE, true),
                new AdapterParam("lora_B", loraB, ParamRole.LORA_B, true));
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
        return List.of(LowRankParts.savedCopy("lora_A", LowRankParts.rows(loraA.getArray(), keep, saveScratch), ParamRole.LORA_A),
                LowRankParts.savedCopy("gate", LowRankParts.cols(gate.getArray(), keep, saveScratch), ParamRole.GATE),
                LowRankParts.savedCopy("lora_B", LowRankParts.cols(loraB.getArray(), keep, saveScratch), ParamRole.LORA_B));
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
