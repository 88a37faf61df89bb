package org.loralab.lora.variant.lokr;

import java.util.LinkedHashMap;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.lycoris.LycorisConfig;
import org.loralab.lora.variant.lycoris.LycorisLayer;
import org.loralab.lora.variant.lycoris.LycorisVariant;

/**
 * LoKr, PEFT's {@code LoKrConfig} (spec §12): {@code variant("lokr")} with options
 * {@code rank_dropout} (0.0), {@code module_dropout} (0.0), {@code use_effective_conv2d} (false),
 * {@code decompose_both} (false), {@code decompose_factor} (-1), {@code rank_dropout_scale} (false);
 * init true (w1 = 0), false, or "lycoris" (w2 = 0). Scaling alpha/r, also when both factors are full.
 */
public final class LokrVariant extends LycorisVariant {
    /** Option key: also factor w1 into w1_a @ w1_b when r is small enough. */
    public static final String DECOMPOSE_BOTH = "decompose_both";
    /** Option key: the factor passed to {@link Factorization#factorize} (-1: closest to sqrt). */
    public static final String DECOMPOSE_FACTOR = "decompose_factor";
    /** Option key: divide the rank-dropout mask by its mean. */
    public static final String RANK_DROPOUT_SCALE = "rank_dropout_scale";

    private static final Map<String, Object> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put(LycorisLayer.RANK_DROPOUT, 0.0);
        OPTIONS.put(LycorisLayer.MODULE_DROPOUT, 0.0);
        OPTIONS.put(LycorisLayer.USE_EFFECTIVE_CONV2D, false);
        OPTIONS.put(DECOMPOSE_BOTH, false);
        OPTIONS.put(DECOMPOSE_FACTOR, -1);
        OPTIONS.put(RANK_DROPOUT_SCALE, false);
    }

    public LokrVariant() {
        super(OPTIONS);
    }

    @Override
    public String name() {
        return "lokr";
    }

    @Override
    public String peftType() {
        return "LOKR";
    }

    @Override
    public void validate(AdapterConfig config) {
        LycorisConfig.checkCommon(config, "LoKr");
        long f = config.optionLong(DECOMPOSE_FACTOR, -1);
        if (f == 0 || f < -1) {
            throw new IllegalArgumentException("decompose_factor must be -1 (automatic) or a positive integer, got " + f);
        }
        String init = config.init().family();
        if (!init.equals("true") && !init.equals("false") && !init.equals("lycoris")) {
            throw new IllegalArgumentException("LoKr init_weights must be true, false or \"lycoris\", got '" + init + "'");
        }
    }

    @Override
    public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
        return new LokrLayer(spec);
    }
}
