package org.loralab.lora.variant.loha;

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
 * LoHa, PEFT's {@code LoHaConfig} (spec §11): {@code variant("loha")} with options
 * {@code rank_dropout} (0.0), {@code module_dropout} (0.0), {@code use_effective_conv2d} (false);
 * {@code alpha} is the config's alpha (scaling alpha/r, no rsLoRA), {@code init_weights} its init
 * (true or false). Wraps Linear, Conv1d and Conv2d.
 */
public final class LohaVariant extends LycorisVariant {
    private static final Map<String, Object> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put(LycorisLayer.RANK_DROPOUT, 0.0);
        OPTIONS.put(LycorisLayer.MODULE_DROPOUT, 0.0);
        OPTIONS.put(LycorisLayer.USE_EFFECTIVE_CONV2D, false);
    }

    public LohaVariant() {
        super(OPTIONS);
    }

    @Override
    public String name() {
        return "loha";
    }

    @Override
    public String peftType() {
        return "LOHA";
    }

    @Override
    public void validate(AdapterConfig config) {
        LycorisConfig.checkCommon(config, "LoHa");
        String init = config.init().family();
        if (!init.equals("true") && !init.equals("false")) {
            throw new IllegalArgumentException("LoHa init_weights must be true or false, got '" + init + "'");
        }
    }

    @Override
    public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
        return new LohaLayer(spec);
    }
}
