package org.loralab.lora.hf.llama;

import java.util.Map;
import java.util.function.Function;

/**
 * Rotary position embedding frequencies: {@code rope_theta} and {@code rope_scaling} (none, "default" or
 * "llama3"; other types are refused by name). Also reads transformers v5's {@code rope_parameters}, which holds
 * the same keys plus {@code rope_theta}.
 *
 * @param type "default" or "llama3"
 */
public record RopeScaling(double theta, int headDim, String type, double factor, double lowFreqFactor,
        double highFreqFactor, double originalMaxPositions) {

    static RopeScaling fromFields(Function<String, Object> field, int headDim) {
        Object params = field.apply("rope_parameters");
        Object scaling = field.apply("rope_scaling");
        Map<?, ?> m = scaling instanceof Map<?, ?> s ? s : params instanceof Map<?, ?> p ? p : Map.of();
        double theta = LlamaConfig.number(field, "rope_theta",
                m.get("rope_theta") instanceof Number n ? n.doubleValue() : 10000.0);
        LlamaConfig.require(theta > 0, "rope_theta must be > 0");
        Object t = m.containsKey("rope_type") ? m.get("rope_type") : m.get("type");
        String type = t == null ? "default" : t.toString();
        if (type.equals("default")) {
            return new RopeScaling(theta, headDim, "default", 1, 1, 1, 1);
        }
        LlamaConfig.require(type.equals("llama3"), "rope_scaling type '" + type
                + "' is not supported (supported: null, default, llama3)");
        double factor = positive(m, "factor");
        double low = positive(m, "low_freq_factor");
        double high = positive(m, "high_freq_factor");
        LlamaConfig.require(high != low, "rope_scaling.high_freq_factor must differ from low_freq_factor");
        return new RopeScaling(theta, headDim, type, factor, low, high,
                positive(m, "original_max_position_embeddings"));
    }

    private static double positive(Map<?, ?> m, String key) {
        Object v = m.get(key);
        LlamaConfig.require(v instanceof Number n && n.doubleValue() > 0,
                "rope_scaling." + key + " must be a number > 0 (got " + v + ")");
        return ((Number) v).doubleValue();
    }

    /**
     * Inverse frequencies, one per rotated pair: {@code theta^(-2j/headDim)}; with llama3 scaling, long
     * wavelengths (beyond {@code original/low_freq_factor}) are divided by {@code factor}, short ones (below
     * {@code original/high_freq_factor}) kept, and those between interpolated on {@code original/wavelength}.
     */
    public float[] inverseFrequencies() {
        float[] out = new float[headDim / 2];
        for (int j = 0; j < out.length; j++) {
            double f = 1.0 / Math.pow(theta, 2.0 * j / headDim);
            if (type.equals("llama3")) {
                double wavelength = 2 * Math.PI / f;
                if (wavelength > originalMaxPositions / lowFreqFactor) {
                    f = f / factor;
                } else if (wavelength >= originalMaxPositions / highFreqFactor) {
                    double smooth = (originalMaxPositions / wavelength - lowFreqFactor)
                            / (highFreqFactor - lowFreqFactor);
                    f = (1 - smooth) * f / factor + smooth * f;
                }
            }
            out[j] = (float) f;
        }
        return out;
    }
}
