package org.loralab.lora.variant.lora;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.Variant;

/** Plain LoRA and rsLoRA (spec §2, §3) on Linear, Conv1d/2d/3d and Embedding. */
public final class LoraVariant implements Variant {
    @Override
    public String name() {
        return "lora";
    }

    @Override
    public String peftType() {
        return "LORA";
    }

    @Override
    public Set<LayerKind> supportedKinds() {
        return EnumSet.of(LayerKind.LINEAR, LayerKind.CONV1D, LayerKind.CONV2D, LayerKind.CONV3D, LayerKind.EMBEDDING);
    }

    @Override
    public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
        return LoraLayer.create(spec);
    }

    @Override
    public boolean accepts(Map<String, Object> json) {
        return "LORA".equals(json.get("peft_type")) && !Boolean.TRUE.equals(json.get("use_dora"));
    }
}
