package org.loralab.lora.variant.qlora;

import java.util.Locale;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.quant.LoftQConfig;
import org.loralab.lora.quant.QuantOptions;

/**
 * Reads PEFT's {@code loftq_config} from an {@link AdapterConfig}: option {@code "loftq_config"}, a map with
 * {@code loftq_bits} (4 or 8, default 4) and {@code loftq_iter} (>= 1, default 1), plus this library's
 * {@code scaling_mode} ("ignore", PEFT's behaviour and the default, or "compensate"; see
 * {@link LoftQConfig.ScalingMode}). PEFT ignores keys it does not know inside {@code loftq_config}.
 */
public final class LoftQSettings {
    /** The option key, as PEFT names the LoraConfig field. */
    public static final String KEY = "loftq_config";

    private LoftQSettings() {}

    /** The LoftQ config of {@code config}, with NF4 stored as {@code nf4Options}. */
    public static LoftQConfig from(AdapterConfig config, QuantOptions nf4Options) {
        Object raw = config.options().get(KEY);
        if (!(raw instanceof Map) || ((Map<?, ?>) raw).isEmpty()) {
            throw new IllegalArgumentException("init 'loftq' needs a loftq_config, e.g. "
                    + ".option(\"loftq_config\", Map.of(\"loftq_bits\", 4, \"loftq_iter\", 1))");
        }
        Map<?, ?> m = (Map<?, ?>) raw;
        int bits = intValue(m.get("loftq_bits"), 4, "loftq_bits");
        int iter = intValue(m.get("loftq_iter"), 1, "loftq_iter");
        Object mode = m.get("scaling_mode");
        LoftQConfig.ScalingMode sm = LoftQConfig.ScalingMode.IGNORE_SCALING;
        if (mode != null) {
            String s = mode.toString().trim().toLowerCase(Locale.ROOT);
            if (s.startsWith("compensate")) {
                sm = LoftQConfig.ScalingMode.COMPENSATE_SCALING;
            } else if (!s.startsWith("ignore")) {
                throw new IllegalArgumentException("loftq_config scaling_mode must be 'ignore' or 'compensate', got '"
                        + mode + "'");
            }
        }
        return new LoftQConfig(bits, iter, sm, nf4Options);
    }

    private static int intValue(Object v, int def, String key) {
        if (v == null) {
            return def;
        }
        if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            if (d != Math.rint(d)) {
                throw new IllegalArgumentException("loftq_config " + key + " must be an integer, got " + v);
            }
            return (int) d;
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("loftq_config " + key + " must be an integer, got '" + v + "'");
        }
    }
}
