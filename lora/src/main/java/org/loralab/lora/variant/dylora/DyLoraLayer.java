package org.loralab.lora.variant.dylora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import java.util.List;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.WeightMerge;
import org.loralab.lora.variant.adalora.LowRankForm;
import org.loralab.lora.variant.adalora.LowRankParts;

/**
 * DyLoRA on one Linear, Conv2d or Embedding layer (spec §15, in LoRA's form of each kind, {@link LowRankForm}):
 * {@code lora_A} [r_max, in] (kaiming uniform), {@code lora_B} [out, r_max] (zero) on Linear; A [r_max, in, kh, kw]
 * and B [out, r_max, 1, 1] on Conv2d; {@code lora_embedding_A} [r_max, V] (zero) and {@code lora_embedding_B}
 * [d, r_max] (N(0,1)) on Embedding. At rank b the update is {@code ΔW_b = (α/b) · B[:, :b] · A[:b]}. In frozen
 * training mode the first b−1 components are detached, so only row b−1 of A and column b−1 of B receive gradients.
 */
public final class DyLoraLayer implements LayerAdapter {
    private final BaseLayer base;
    private final DyLoraState state;
    private final int rMax;
    private final double alpha;
    private double scale = 1.0;
    private final float dropout;
    private final LowRankForm form;
    private final Parameter loraA;
    private final Parameter loraB;
    private int mergedRank = -1;

    DyLoraLayer(LayerSpec spec, DyLoraState state) {
        this.base = spec.base();
        this.state = state;
        this.rMax = state.maxRank();
        this.alpha = spec.alpha();
        this.dropout = (float) spec.dropout();
        this.form = new LowRankForm(base, spec.path(), "DyLoRA");
        loraA = LowRankParts.param(form.nameA(), base.manager(), form.shapeA(rMax));
        loraB = LowRankParts.param(form.nameB(), base.manager(), form.shapeB(rMax));
        String init = spec.init().family();
        if (!init.equals("true") && !init.equals("false")) {
            throw new IllegalArgumentException("DyLoRA supports init_lora_weights true or false, got " + spec.init());
        }
        form.initA(loraA, init.equals("true"), spec.random());
        form.initB(loraB, init.equals("true"), rMax, spec.random());
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
        NDArray x = form.dropout(in.x(), dropout, in.training());
        return form.forward(x, f[0], null, f[1], scalingAt(b));
    }

    @Override
    public NDArray deltaWeight(ParamSource ps) {
        boolean stepping = state.inStep() && ps != ParamSource.DIRECT;
        int b = stepping ? state.trainRank() : state.evalRank();
        return deltaAt(ps, b, stepping && state.frozen());
    }

    private NDArray deltaAt(ParamSource ps, int b, boolean frozen) {
        NDArray[] f = truncated(ps, b, frozen);
        return form.delta(f[0], null, f[1], scalingAt(b));
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

    /** lora_A [r_max, in] (Conv2d [r_max, in, kh, kw]; Embedding lora_embedding_A [r_max, V]). */
    public Parameter loraA() {
        return loraA;
    }

    /** lora_B [out, r_max] (Conv2d [out, r_max, 1, 1]; Embedding lora_embedding_B [d, r_max]). */
    public Parameter loraB() {
        return loraB;
    }

    @Override
    public List<AdapterParam> parameters() {
        return List.of(new AdapterParam(form.nameA(), loraA, form.roleA(), true),
                new AdapterParam(form.nameB(), loraB, form.roleB(), true));
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
