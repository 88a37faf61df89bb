package org.loralab.lora.variant.lora.init;

import java.util.LinkedHashMap;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;

/**
 * Turns a trained PiSSA/OLoRA adapter (which only fits the residual base) into a plain LoRA adapter for the
 * ORIGINAL weights (spec §6 option b, PEFT's {@code path_initial_model_for_weight_conversion}):
 * {@code A' = [A ; A0]} ([2r, in]), {@code B' = [B , -B0]} ([out, 2r]), r' = 2r, α' = 2α (α·√2 with rsLoRA), with
 * rank_pattern / alpha_pattern values doubled. Then {@code s'·B'A' = s·(BA - B0A0)}, so
 * {@code W + s'B'A' = W_res + s·BA}.
 */
public final class ConvertToLora {
    private ConvertToLora() {}

    /** The converted factors of one layer. */
    public record Factors(float[][] a, float[][] b) {}

    /**
     * @param a  trained A [r, in]
     * @param b  trained B [out, r]
     * @param a0 A at initialisation [r, in]
     * @param b0 B at initialisation [out, r]
     */
    public static Factors factors(float[][] a, float[][] b, float[][] a0, float[][] b0) {
        int r = a.length;
        if (a0.length != r || b.length != b0.length || b[0].length != r || b0[0].length != r
                || a[0].length != a0[0].length) {
            throw new IllegalArgumentException("trained and initial factors differ in shape: A " + a.length + "x"
                    + a[0].length + " vs A0 " + a0.length + "x" + a0[0].length + ", B " + b.length + "x"
                    + b[0].length + " vs B0 " + b0.length + "x" + b0[0].length
                    + "; pass the initial adapter of the same layer");
        }
        float[][] a2 = new float[2 * r][];
        for (int k = 0; k < r; k++) {
            a2[k] = a[k].clone();
            a2[r + k] = a0[k].clone();
        }
        float[][] b2 = new float[b.length][2 * r];
        for (int i = 0; i < b.length; i++) {
            System.arraycopy(b[i], 0, b2[i], 0, r);
            for (int k = 0; k < r; k++) {
                b2[i][r + k] = -b0[i][k];
            }
        }
        return new Factors(a2, b2);
    }

    /**
     * The config of the converted adapter: init true, r and alpha as above, patterns doubled. Fails, as PEFT does,
     * for rsLoRA combined with rank_pattern or alpha_pattern (no alpha keeps the scaling there).
     */
    public static AdapterConfig config(AdapterConfig mutated) {
        if (mutated.useRslora() && (!mutated.rankPattern().isEmpty() || !mutated.alphaPattern().isEmpty())) {
            throw new IllegalArgumentException("converting a PiSSA/OLoRA adapter is not supported with use_rslora "
                    + "together with rank_pattern or alpha_pattern (as in PEFT); drop one of them");
        }
        Map<String, Integer> ranks = new LinkedHashMap<>();
        mutated.rankPattern().forEach((k, v) -> ranks.put(k, 2 * v));
        Map<String, Double> alphas = new LinkedHashMap<>();
        mutated.alphaPattern().forEach((k, v) -> alphas.put(k, 2 * v));
        return mutated.toBuilder()
                .init(true)
                .r(2 * mutated.r())
                .alpha(mutated.useRslora() ? mutated.alpha() * Math.sqrt(2) : 2 * mutated.alpha())
                .rankPattern(ranks)
                .alphaPattern(alphas)
                .build();
    }
}
