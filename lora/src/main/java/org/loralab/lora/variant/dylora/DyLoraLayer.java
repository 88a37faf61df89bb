package org.loralab.lora.variant.dylora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.List;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.WeightMerge;
import org.loralab.lora.variant.adalora.LowRankParts;

/**
 * DyLoRA on one Linear layer (spec §15): {@code lora_A} [r_max, in] (kaiming uniform), {@code lora_B} [out, r_max]
 * (zero), and at rank b the update {@code ΔW_b = (α/b) · B[:, :b] · A[:b]}. In frozen training mode the first b−1
 * components are detached, so only row b−1 of A and column b−1 of B receive gradients.
 */
public final class DyLoraLayer implements LayerAdapter {
    private final BaseLayer base;
    private final DyLoraState state;
    private final int rMax;
    private final double alpha;
    private double scale = 1.0;
    private final float dropout;
    private final Parameter loraA;
    private final Parameter loraB;
    private int mergedRank = -1;

    DyLoraLayer(LayerSpec spec, DyLoraState state) {
        this.base = spec.base();
        this.state = state;
        this.rMax = state.maxRank();
        this.alpha = spec.alpha();
        this.dropout = (float) spec.dropout();
        loraA = LowRankParts.param("lora_A", base.manager(), new Shape(rMax, base.inFeatures()));
        loraB = LowRankParts.param("lora_B", base.manager(), new Shape(base.outFeatures(), rMax));
        switch (spec.init().family()) {
            case "true":
                LowRankParts.fillUniform(loraA, spec.random(), 1.0 / Math.sqrt(base.inFeatures()));
                break;
            case "false":
                LowRankParts.fillUniform(loraA, spec.random(), 1.0 / Math.sqrt(base.inFeatures()));
                LowRankParts.fillUniform(loraB, spec.random(), 1.0 / Math.sqrt(rMax));
                break;
            default:
                throw new IllegalArgumentException("DyLoRA supports init_lora_weights true or false, got " + spec.init());
        }
        loraA.getArray().setRequiresGradient(true);
        loraB.getArray().setRequiresGradient(true);
    }

    /** The scaling at rank b: α/b (times any {@link #setScaling} factor relative to α/r_max). */
    public double scalingAt(int b) {
        return scale * alpha / b;
    }

    /** Truncated factors {A[:b], B[:, :b]}, with the first b−1 components detached when {@code frozen}. */
    private NDArray[] truncated(ParamSource ps, int b, boolean frozen) {
        NDArray a = ps.value(loraA);
        NDArray bm = ps.value(loraB);
        if (!frozen || b == 1) {
            return new NDArray[] {a.get(":" + b), bm.get(":, :" + b)};
        }
        NDArray aLow = a.get(":" + (b - 1)).stopGradient();
        NDArray bLow = bm.get(":, :" + (b - 1)).stopGradient();
        NDArray aTop = a.get((b - 1) + ":" + b);
        NDArray bTop = bm.get(":, " + (b - 1) + ":" + b);
        return new NDArray[] {NDArrays.concat(new NDList(aLow, aTop), 0), NDArrays.concat(new NDList(bLow, bTop), 1)};
    }

    @Override
    public NDArray forward(AdapterInput in) {
        boolean stepping = state.inStep() && in.training();
        int b = stepping ? state.trainRank() : state.evalRank();
        NDArray[] f = truncated(in.params(), b, stepping && state.frozen());
        NDArray x = LowRankParts.dropout(in.x(), dropout, in.training());
        return LowRankParts.forward(x, f[0], null, f[1], scalingAt(b));
    }

    @Override
    public NDArray deltaWeight(ParamSource ps) {
        boolean stepping = state.inStep() && ps != ParamSource.DIRECT;
        int b = stepping ? state.trainRank() : state.evalRank();
        return deltaAt(ps, b, stepping && state.frozen());
    }

    private NDArray deltaAt(ParamSource ps, int b, boolean frozen) {
        NDArray[] f = truncated(ps, b, frozen);
        return LowRankParts.delta(f[0], null, f[1], scalingAt(b));
    }

    @Override
    public boolean weightPathExact() {
        return dropout == 0;
    }

    /** Merges ΔW at the current evaluation rank (remembered for unmerge). */
    @Override
    public void merge() {
        mergedRank = state.evalRank();
        int rank = mergedRank;
        WeightMerge.apply(base, () -> deltaAt(ParamSource.DIRECT, rank, false), 1);
    }

    @Override
    public void unmerge() {
        int b = mergedRank > 0 ? mergedRank : state.evalRank();
        WeightMerge.apply(base, () -> deltaAt(ParamSource.DIRECT, b, false), -1);
        mergedRank = -1;
    }

    /** lora_A [r_max, in]. */
    public Parameter loraA() {
        return loraA;
    }

    /** lora_B [out, r_max]. */
    public Parameter loraB() {
        return loraB;
    }

    @Override
    public List<AdapterParam> parameters() {
        return List.of(new AdapterParam("lora_A", loraA, ParamRole.LORA_A, true),
                new AdapterParam("lora_B", loraB, ParamRole.LORA_B, true));
    }

    @Override
    public BaseLayer base() {
        return base;
    }

    @Override
    public String variant() {
        return "dylora";
    }

    /** r_max. */
    @Override
    public int rank() {
        return rMax;
    }

    @Override
    public double alpha() {
        return alpha;
    }

    /** The scaling at the evaluation rank, α/b. */
    @Override
    public double scaling() {
        return scalingAt(state.evalRank());
    }

    /** Sets the scaling at the evaluation rank; other ranks keep the same ratio to α/b. */
    @Override
    public void setScaling(double s) {
        scale = s / (alpha / state.evalRank());
    }

    @Override
    public void close() {
        loraA.close();
        loraB.close();
    }
}
