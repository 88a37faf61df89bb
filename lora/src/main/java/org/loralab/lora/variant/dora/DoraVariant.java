package org.loralab.lora.variant.dora;

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
 * DoRA (PEFT's {@code LoraConfig(use_dora=True)}, spec §5) on Linear, Conv1d/2d/3d (groups 1) and Embedding.
 * Select it with {@code AdapterConfig.builder().useDora(true)} or {@code .variant("dora")}. Files are PEFT's
 * LoRA files ({@code peft_type "LORA"}, {@code "use_dora": true}) plus {@code …lora_magnitude_vector}.
 */
public final class DoraVariant implements Variant {

    @Override
    public String name() {
        return "dora";
    }

    @Override
    public String peftType() {
        return "LORA";
    }

    @Override
    public Set<LayerKind> supportedKinds() {
        return EnumSet.of(LayerKind.LINEAR, LayerKind.CONV1D, LayerKind.CONV2D, LayerKind.CONV3D,
                LayerKind.EMBEDDING);
    }

    @Override
    public void validate(AdapterConfig config) {
        if (config.loraBias()) {
            throw new IllegalArgumentException("DoRA does not support lora_bias; set loraBias(false) or use variant \"lora\"");
        }
    }

    @Override
    public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
        return DoraLayer.create(spec);
    }

    @Override
    public void writeConfig(AdapterConfig config, Map<String, Object> json) {
        json.put("use_dora", Boolean.TRUE);
    }

    @Override
    public void readConfig(Map<String, Object> json, AdapterConfig.Builder builder) {
        builder.useDora(true);
    }

    @Override
    public boolean accepts(Map<String, Object> json) {
        return "LORA".equals(json.get("peft_type")) && Boolean.TRUE.equals(json.get("use_dora"));
    }
}
