package org.loralab.lora.variant.dora;

import ai.djl.ndarray.NDArray;

/**
 * DoRA's formulas (spec §5), independent of how the layer is wired. All weights are in the base layer's
 * layout; {@code delta} is the scaled LoRA update {@code s·ΔW} in that layout.
 */
public final class DoraMath {

    private DoraMath() {}

    /** Initial magnitude {@code m = ‖W + s·ΔW‖} per output unit (§5.2). */
    public static NDArray initialMagnitude(DoraGeometry g, NDArray weight, NDArray delta) {
        return g.norm(weight.add(delta));
    }

    /**
     * {@code ‖W + s·ΔW‖} with no gradient: the delta is detached before the norm and the norm after it, the
     * paper's §4.3 trick that PEFT follows, so gradients reach A and B only through the LoRA branch.
     */
    public static NDArray detachedNorm(DoraGeometry g, NDArray weight, NDArray delta) {
        return g.norm(weight.stopGradient().add(delta.stopGradient())).stopGradient();
    }

    /**
     * What DoRA adds to the base output (§5.3): {@code (k − 1)·baseNoBias + k·lora} with {@code k = m / norm};
     * the layer's output is {@code base + delta}.
     *
     * @param baseNoBias  {@code W x} without bias: {@code base − bias} in eval / without dropout, or the base
     *                    op recomputed on the dropped input during training with dropout; for embeddings (no
     *                    bias, no dropout) it is {@code base} itself
     * @param lora        the scaled LoRA branch {@code s·B(A(x̃))}
     * @param scale       {@code k = m / norm}, magnitude-shaped
     */
    public static NDArray delta(NDArray baseNoBias, NDArray lora, NDArray scale) {
        return baseNoBias.mul(scale.sub(1f)).add(lora.mul(scale));
    }

    /** Merged weight {@code (m / norm) ⊙ (W + s·ΔW)} per output unit (§5.4). */
    public static NDArray merge(DoraGeometry g, NDArray weight, NDArray delta, NDArray magnitude, NDArray norm) {
        NDArray factor = g.perWeight(magnitude.div(norm), weight.getShape());
        return weight.add(delta).mul(factor);
    }

    /** Inverse of {@link #merge} with the norm cached at merge time: {@code W'/(m/norm) − s·ΔW}. */
    public static NDArray unmerge(
            DoraGeometry g, NDArray merged, NDArray delta, NDArray magnitude, NDArray cachedNorm) {
        NDArray factor = g.perWeight(magnitude.div(cachedNorm), merged.getShape());
        return merged.div(factor).sub(delta);
    }
}
