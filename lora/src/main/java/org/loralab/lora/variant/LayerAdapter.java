package org.loralab.lora.variant;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The adapter of one base layer under one adapter name: its tensors, forward contribution and
 * delta weight. Made by {@link Variant#createLayer}. The injector owns the wrapping, freezing,
 * activation and merge bookkeeping; an implementation only does the maths.
 */
public interface LayerAdapter extends AutoCloseable {
    /** The base layer. */
    BaseLayer base();

    /** The variant name ("lora", "dora", ...). */
    String variant();

    /** Rank of this layer (what tables show as r). */
    int rank();

    /** Alpha of this layer. */
    double alpha();

    /** Current scaling s (alpha/r, alpha/sqrt(r), 1 for MoRA, ...). */
    double scaling();

    /** Sets the scaling (PEFT's set_scale / scale_layer go through this). */
    void setScaling(double s);

    /** The tensors this adapter owns, in file order (lora_A before lora_B). */
    List<AdapterParam> parameters();

    /**
     * The tensors as they are written to adapter_model.safetensors, same keys as {@link #parameters()}.
     * Default: {@link #parameters()} itself. Variants that prune on save (AdaLoRA's rank pattern, SoRA's
     * zero gates) return sliced copies; a layer made from the saved config must return its live
     * {@link #parameters()} here, because loading copies the file into these tensors.
     */
    default List<AdapterParam> savedParameters() {
        return parameters();
    }

    /** Trainable scalars of this adapter (what print_trainable_parameters counts for it). */
    default long trainableCount() {
        long n = 0;
        for (AdapterParam p : parameters()) {
            if (p.trainable()) {
                n += p.size();
            }
        }
        return n;
    }

    /**
     * Activation path: the term to add to the running output for input {@code in}
     * (LoRA: {@code s * B(A(dropout(x)))}; DoRA: {@code (k-1) * base + k * s * B(A(x))}).
     */
    NDArray forward(AdapterInput in);

    /**
     * ΔW in the base weight's layout, from live values (differentiable when they carry gradients).
     * Weight-path injection, merge and analysis use it.
     *
     * @throws UnsupportedOperationException when the variant cannot express ΔW (e.g. grouped conv)
     */
    NDArray deltaWeight(ParamSource params);

    /**
     * The weight the base op should use so that {@code base(x; W')} equals base + this adapter,
     * for the weight path. Default {@code W + ΔW}; DoRA overrides.
     */
    default NDArray effectiveWeight(NDArray w, ParamSource params) {
        NDArray d = deltaWeight(params);
        return w.add(d.getDataType() == w.getDataType() ? d : d.toType(w.getDataType(), false));
    }

    /**
     * The bias the base op should use on the weight path ({@code b + s * lora_B.bias} for LoRA with
     * lora_bias); default {@code b} unchanged. {@code b} may be null when the base has no bias.
     */
    default NDArray effectiveBias(NDArray b, ParamSource params) {
        return b;
    }

    /** Whether the weight path is exact for this adapter (false with input dropout > 0 when training). */
    default boolean weightPathExact() {
        return true;
    }

    /** Merges into the base weight in place: default {@code W += ΔW} (LoRA also adds lora_bias into the bias). */
    default void merge() {
        WeightMerge.apply(this, 1);
    }

    /** Reverses {@link #merge()} in place: default {@code W -= ΔW}. */
    default void unmerge() {
        WeightMerge.apply(this, -1);
    }

    /** Releases the adapter's arrays. */
    @Override
    void close();
}
