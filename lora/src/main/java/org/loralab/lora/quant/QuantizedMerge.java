package org.loralab.lora.quant;

/**
 * Merging an adapter into quantised storage, as PEFT's 4-bit/8-bit LoRA layers do it (spec §13.4, §19.1):
 * dequantise, add ΔW in fp32, quantise again. The result is not the exact sum: the re-quantisation moves every
 * value to a code again, and merge followed by unmerge does not give back the original codes in general. The
 * drift is measured and returned so callers can report it (PEFT only warns "may get different generations due
 * to rounding errors").
 */
public final class QuantizedMerge {
    private QuantizedMerge() {
    }

    /**
     * @param merged         the re-quantised {@code dequant(base) + delta}
     * @param drift          {@code ||dequant(merged) - (dequant(base) + delta)||_F}
     * @param relativeDrift  drift divided by {@code ||dequant(base) + delta||_F} (0 when that is 0)
     */
    public record Result(QuantizedWeight merged, double drift, double relativeDrift) {
    }

    /** Merge: {@code requantize(dequant(base) + delta)}. */
    public static Result add(QuantizedWeight base, float[] delta) {
        return apply(base, delta, 1f);
    }

    /** Unmerge: {@code requantize(dequant(base) - delta)}. */
    public static Result subtract(QuantizedWeight base, float[] delta) {
        return apply(base, delta, -1f);
    }

    private static Result apply(QuantizedWeight base, float[] delta, float sign) {
        float[] target = base.dequantize();
        if (delta.length != target.length) {
            throw new IllegalArgumentException("delta has " + delta.length + " values but the weight has "
                    + target.length + "; it must have the weight's shape " + java.util.Arrays.toString(base.shape()));
        }
        for (int i = 0; i < target.length; i++) {
            target[i] += sign * delta[i];
        }
        QuantizedWeight merged = base.requantize(target);
        float[] got = merged.dequantize();
        double sq = 0;
        double ref = 0;
        for (int i = 0; i < target.length; i++) {
            double d = (double) got[i] - target[i];
            sq += d * d;
            ref += (double) target[i] * target[i];
        }
        double drift = Math.sqrt(sq);
        return new Result(merged, drift, ref == 0 ? 0 : drift / Math.sqrt(ref));
    }
}
