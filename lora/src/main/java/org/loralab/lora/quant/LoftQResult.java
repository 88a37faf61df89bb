package org.loralab.lora.quant;

/**
 * Output of {@link LoftQ#initialize}: the quantised base weight and the LoRA factors, row-major fp32.
 *
 * @param base             the quantised base weight Q (store this instead of W)
 * @param loraA            {@code [rank, in]}
 * @param loraB            {@code [out, rank]}
 * @param residualNorms    {@code ||W - Q_t - L_t·R_t||_F} after each iteration t (in the LoftQ approximation,
 *                         i.e. without the scaling)
 */
public record LoftQResult(QuantizedWeight base, float[] loraA, float[] loraB, int out, int in, int rank,
                          double scaling, LoftQConfig config, double[] residualNorms) {

    /** The weight the adapted layer computes with at init: {@code dequant(Q) + s·B·A}, row-major. */
    public float[] effectiveWeight() {
        float[] w = base.dequantize();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                double acc = 0;
                for (int k = 0; k < rank; k++) {
                    acc += (double) loraB[o * rank + k] * loraA[k * in + i];
                }
                w[o * in + i] += (float) (scaling * acc);
            }
        }
        return w;
    }
}
