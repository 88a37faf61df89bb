package org.loralab.lora.variant.mora;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.Variant;

/**
 * MoRA (spec §17; not in PEFT, follows {@code kongds/MoRA/peft-mora}): {@code variant("mora")} on
 * Linear layers, with option {@code mora_type} (the reference's key): 1 ("sharing", the default,
 * recommended for large r), 2 (grouped sums in, repeat-interleave out), 3 (grouped sums in, tile out),
 * 4 (sharing in, repeat-interleave out) or 6 (RoPE, recommended for small r); see {@link MoraOperators}. {@code r} is the LoRA rank whose parameter budget the square
 * matrix matches; {@code lora_dropout} applies to the input; alpha is ignored (scaling 1).
 * adapter_config.json is the reference's: {@code peft_type "LORA"} with {@code use_mora: true} and
 * {@code mora_type}.
 */
public final class MoraVariant implements Variant {
    /** Option key: 1, 2, 3, 4 or 6. */
    public static final String MORA_TYPE = "mora_type";

    @Override
    public String name() {
        return "mora";
    }

    @Override
    public java.util.Map<String, Object> optionDefaults() {
        return java.util.Map.ofEntries(java.util.Map.entry(MORA_TYPE, 1L));
    }

    @Override
    public String peftType() {
        return "LORA";
    }

    @Override
    public Set<LayerKind> supportedKinds() {
        return EnumSet.of(LayerKind.LINEAR);
    }

    @Override
    public void validate(AdapterConfig config) {
        long type = config.optionLong(MORA_TYPE, 1);
        if (!MoraOperators.isSupported(type)) {
            throw new IllegalArgumentException("mora_type " + type + " is not supported; use 1 (sharing, for large r), "
                    + "2, 3, 4 or 6 (RoPE, for small r)");
        }
        if (config.useRslora() || config.loraBias()) {
            throw new IllegalArgumentException("MoRA has fixed scaling 1 and no bias; remove useRslora/loraBias");
        }
    }

    @Override
    public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
        return new MoraLayer(spec);
    }

    @Override
    public void writeConfig(AdapterConfig config, Map<String, Object> json) {
        json.put("use_mora", true);
        json.put(MORA_TYPE, config.optionLong(MORA_TYPE, 1));
    }

    @Override
    public void readConfig(Map<String, Object> json, AdapterConfig.Builder builder) {
        if (json.get(MORA_TYPE) instanceof Number) {
            builder.option(MORA_TYPE, ((Number) json.get(MORA_TYPE)).longValue());
        }
    }

    @Override
    public boolean accepts(Map<String, Object> json) {
        return "LORA".equals(json.get("peft_type")) && Boolean.TRUE.equals(json.get("use_mora"));
    }
}
