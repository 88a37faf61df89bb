package org.loralab.lora.variant.dora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.lora.LoraLayer;

/**
 * DoRA on one Linear, Conv1d/2d/3d or Embedding layer (spec §5): LoRA's A and B plus a trainable
 * magnitude {@code lora_magnitude_vector} per output unit, initialised to {@code ‖W + s·BA‖}.
 *
 * <p>Forward adds {@code (k − 1)·Wx + k·s·B(A(x))} with {@code k = m / ‖W + s·BA‖} and the norm detached
 * (no gradient flows through it). With dropout in training, {@code Wx} and the LoRA branch both use the
 * same dropped input, as PEFT does. Merge writes {@code k ⊙ (W + s·BA)} and caches the norm; unmerge divides
 * by {@code m / cachedNorm} and subtracts {@code s·BA}.
 *
 * <p>W is read through {@link org.loralab.lora.variant.BaseLayer#denseWeight}, so DoRA works on a layer whose
 * base a QLoRA adapter holds quantised (PEFT's DoRA on a 4-bit base, "QDoRA"): the norm and the dropout path use
 * {@code dequant(Q)}, and a merge re-quantises {@code k ⊙ (dequant(Q) + s·BA)}.
 */
public final class DoraLayer extends LoraLayer {

    private final DoraGeometry geometry;
    private final Parameter magnitude;
    /** Norms cached by {@link #merge()}, popped by {@link #unmerge()} (LIFO, as PEFT's merge stack). */
    private final Deque<NDArray> mergedNorms = new ArrayDeque<>();

    private DoraLayer(LayerSpec spec) {
        super(spec);
        this.geometry = geometryOf(kind);
        NDArray m;
        try (NDScope scope = new NDScope()) {
            NDArray w = base.denseWeight(base.manager()); // dequantised W on a QLoRA base (QDoRA), freed with the scope
            m = DoraMath.initialMagnitude(geometry, w, deltaWeight(ParamSource.DIRECT))
                    .toType(DataType.FLOAT32, false);
            NDScope.unregister(m);
        }
        m.attach(base.manager());
        magnitude = Parameter.builder().setName("lora_magnitude_vector").setType(Parameter.Type.WEIGHT).build();
        magnitude.setArray(m);
        m.setRequiresGradient(true);
    }

    /** Builds the DoRA adapter for {@code spec}; rejects settings PEFT rejects. */
    public static DoraLayer create(LayerSpec spec) {
        if (spec.config().loraBias()) {
            throw new IllegalArgumentException("DoRA does not support lora_bias (layer '" + spec.path()
                    + "'); set loraBias(false) or use variant \"lora\"");
        }
        if (spec.base().kind().isConv() && spec.base().groups() != 1) {
            throw new IllegalArgumentException("DoRA on grouped conv '" + spec.path() + "' (groups="
                    + spec.base().groups() + ") is not supported; exclude it or use variant \"lora\"");
        }
        return new DoraLayer(spec);
    }

    static DoraGeometry geometryOf(LayerKind kind) {
        if (kind.isConv()) {
            return DoraGeometry.CONV;
        }
        return kind == LayerKind.EMBEDDING ? DoraGeometry.EMBEDDING : DoraGeometry.LINEAR;
    }

    /** The magnitude vector m ([out], [1,out,1..] for conv, [d] for embedding). */
    public Parameter magnitude() {
        return magnitude;
    }

    @Override
    public String variant() {
        return "dora";
    }

    @Override
    public NDArray forward(AdapterInput in) {
        if (dropout > 0 && in.training() && kind != LayerKind.EMBEDDING) {
            return forwardWithDropped(in, Dropout.dropout(in.x(), dropout, true).head());
        }
        return forwardWithDropped(in, null);
    }

    /**
     * The forward with an explicit dropped input x̃ (null: no dropout). Package-private so tests can
     * reproduce PEFT's training-with-dropout formula with a known mask.
     */
    NDArray forwardWithDropped(AdapterInput in, NDArray dropped) {
        NDManager owner = in.x().getManager();
        // a W held quantised (QLoRA base) is dequantised for this forward only, as the base op's is (autograd keeps
        // what backward needs); a dense W is the Parameter's value and the scratch manager stays empty
        try (NDManager scratch = owner.newSubManager()) {
            NDArray y = forwardWithWeight(in, dropped, base.denseWeight(in.params(), scratch));
            if (y.getManager() == scratch) {
                y.attach(owner);
            }
            return y;
        }
    }

    private NDArray forwardWithWeight(AdapterInput in, NDArray dropped, NDArray w) {
        ParamSource ps = prefetched(in.params());
        NDArray scale = scale(w, ps);
        scale.attach(in.x().getManager());
        if (kind == LayerKind.EMBEDDING) {
            // no dropout and no bias on embeddings: y = k·Emb(x;W) + k·s·Emb(x;Aᵀ)Bᵀ
            return DoraMath.delta(in.baseOutput(), loraBranch(in.x(), ps, false), scale);
        }
        if (dropped != null) {
            return dropoutDelta(dropped, w, scale, ps);
        }
        NDArray baseNoBias = in.baseOutput();
        if (base.bias() != null) {
            baseNoBias = baseNoBias.sub(biasForOutput(ps.value(base.bias())));
        }
        return DoraMath.delta(baseNoBias, loraBranch(in.x(), ps, false), scale);
    }

    /**
     * {@code k = m / ‖W + s·BA‖} (norm detached). The parameter-only intermediates would otherwise land in the
     * parameters' long-lived manager (DJL puts a result in its first operand's manager), so they are made in
     * a scope and closed; only k survives, and the caller attaches it to the batch's manager.
     */
    private NDArray scale(NDArray w, ParamSource ps) {
        try (NDScope scope = new NDScope()) {
            NDArray k = ps.value(magnitude).div(DoraMath.detachedNorm(geometry, w, deltaWeight(ps)));
            NDScope.unregister(k);
            return k;
        }
    }

    /** Reads every parameter once, outside any scope, so a device copy made by a ParameterStore stays alive. */
    private ParamSource prefetched(ParamSource ps) {
        NDArray a = ps.value(loraA);
        NDArray b = ps.value(loraB);
        NDArray m = ps.value(magnitude);
        return p -> p == loraA ? a : p == loraB ? b : p == magnitude ? m : ps.value(p);
    }

    /** Training with dropout: {@code (k − 1)·W x̃ + k·s·B(A(x̃))} on the one dropped input x̃. */
    NDArray dropoutDelta(NDArray dropped, NDArray w, NDArray scale, ParamSource ps) {
        NDArray baseNoBias = base.apply(dropped, w, null);
        // training=false: the input is already dropped, the branch must not drop it again
        return DoraMath.delta(baseNoBias, loraBranch(dropped, ps, false), scale);
    }

    /** The bias shaped to broadcast over the output: [out] for Linear, [1,out,1..] for conv. */
    private NDArray biasForOutput(NDArray bias) {
        return kind.isConv() ? bias.reshape(geometry.magnitudeShape(base.weightShape())) : bias;
    }

    /**
     * Weight path: {@code (m / ‖W + s·BA‖) ⊙ (W + s·BA)}, norm detached. Intermediates are closed; the result
     * stays in the manager of its first operand (the LoRA product's), so the caller should attach it.
     */
    @Override
    public NDArray effectiveWeight(NDArray w, ParamSource params) {
        ParamSource ps = prefetched(params);
        try (NDScope scope = new NDScope()) {
            NDArray delta = deltaWeight(ps);
            NDArray merged = DoraMath.merge(geometry, w, delta, ps.value(magnitude),
                    DoraMath.detachedNorm(geometry, w, delta));
            NDScope.unregister(merged);
            return merged;
        }
    }

    @Override
    public void merge() {
        NDArray norm;
        try (NDScope scope = new NDScope()) {
            NDArray w = base.denseWeight(base.manager());
            NDArray delta = deltaWeight(ParamSource.DIRECT);
            norm = DoraMath.detachedNorm(geometry, w, delta);
            NDArray factor = geometry.perWeight(magnitude.getArray().div(norm), w.getShape());
            w.addi(delta).muli(factor);
            base.writeWeight(w); // a quantised base re-quantises k ⊙ (W + s·BA), as PEFT's merge into a 4-bit layer
            NDScope.unregister(norm);
        }
        norm.attach(base.manager());
        mergedNorms.push(norm);
    }

    @Override
    public void unmerge() {
        NDArray norm = mergedNorms.poll();
        if (norm == null) {
            throw new IllegalStateException("DoRA layer '" + spec.path() + "' is not merged; nothing to unmerge");
        }
        try (NDScope scope = new NDScope()) {
            NDArray w = base.denseWeight(base.manager());
            NDArray factor = geometry.perWeight(magnitude.getArray().div(norm), w.getShape());
            w.divi(factor).subi(deltaWeight(ParamSource.DIRECT));
            base.writeWeight(w);
        }
        norm.close();
    }

    @Override
    public List<AdapterParam> parameters() {
        List<AdapterParam> out = new ArrayList<>(super.parameters());
        if (magnitude == null) {
            return out; // LoraLayer's constructor calls this before the magnitude exists
        }
        out.add(new AdapterParam("lora_magnitude_vector", magnitude, ParamRole.MAGNITUDE, true));
        return out;
    }

    @Override
    public void close() {
        super.close();
        magnitude.close();
        mergedNorms.forEach(NDArray::close);
        mergedNorms.clear();
    }
}
