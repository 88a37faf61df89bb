package org.loralab.lora.variant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;

/**
 * In-place {@code W ± ΔW} for merge/unmerge: ΔW computed in fp32, rounded once into W's dtype, temporaries freed.
 * A base whose W lives in a {@link BaseWeightSource} gets {@code W ± ΔW} written through it.
 */
public final class WeightMerge {
    private WeightMerge() {}

    /** Merges ({@code sign > 0}) or unmerges the layer's own ΔW ({@code deltaWeight(DIRECT)}) into its base weight. */
    public static void apply(LayerAdapter layer, int sign) {
        apply(layer.base(), () -> layer.deltaWeight(ParamSource.DIRECT), sign);
    }

    /** Adds ({@code sign > 0}) or subtracts the delta into the base weight. */
    public static void apply(BaseLayer base, Supplier<NDArray> delta, int sign) {
        try (NDScope scope = new NDScope()) {
            // the Parameter's own array, updated in place; or a sourced W (dequant(Q)) that writeWeight re-quantises,
            // as PEFT's merge into a 4-bit layer does
            NDArray w = base.denseWeight(base.manager());
            NDArray d = delta.get();
            if (d.getDataType() != w.getDataType()) {
                d = d.toType(w.getDataType(), false);
            }
            if (sign > 0) {
                w.addi(d);
            } else {
                w.subi(d);
            }
            base.writeWeight(w);
        }
    }
}
