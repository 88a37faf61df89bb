package org.loralab.lora.variant.dylora;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ModelScope;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.Variant;

/**
 * DyLoRA (not in PEFT; reference huawei-noah/Efficient-NLP DyLoRA, spec §15) on Linear, Conv2d and Embedding layers
 * (LoRA's form of each, {@code LowRankForm}): variant "dylora",
 * peft_type "DYLORA", {@code r} is r_max. Options: {@code "frozen"} (default true, the reference's training mode).
 * The rank sampler is seeded from the config's seed. Tensors are saved as {@code <path>.lora_A} / {@code .lora_B}
 * (loralib's raw-parameter names; {@code lora_embedding_A} / {@code lora_embedding_B} on an embedding).
 */
public final class DyLoraVariant implements Variant {
    /** Option key: detach the lower b−1 components during training (default true). */
    public static final String FROZEN = "frozen";

    @Override
    public String name() {
        return "dylora";
    }

    @Override
    public java.util.Map<String, Object> optionDefaults() {
        return java.util.Map.ofEntries(java.util.Map.entry(FROZEN, true));
    }

    @Override
    public String peftType() {
        return "DYLORA";
    }

    @Override
    public Set<LayerKind> supportedKinds() {
        return EnumSet.of(LayerKind.LINEAR, LayerKind.CONV2D, LayerKind.EMBEDDING);
    }

    @Override
    public void validate(AdapterConfig config) {
        if (!config.rankPattern().isEmpty() || config.useRslora() || config.loraBias()) {
            throw new IllegalArgumentException("DyLoRA uses one r_max for every layer and alpha/b scaling: "
                    + "remove rank_pattern, use_rslora and lora_bias");
        }
    }

    @Override
    public SharedState createSharedState(ModelScope scope) {
        return new DyLoraState(scope.config().r(), scope.config().optionBoolean(FROZEN, true),
                scope.random().nextLong());
    }

    @Override
    public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
        return new DyLoraLayer(spec, (DyLoraState) shared);
    }

    @Override
    public void writeConfig(AdapterConfig config, Map<String, Object> json) {
        json.put("peft_type", peftType());
        json.put(FROZEN, config.optionBoolean(FROZEN, true));
    }

    @Override
    public void readConfig(Map<String, Object> json, AdapterConfig.Builder builder) {
        builder.variant(name());
        if (json.get(FROZEN) != null) {
            builder.option(FROZEN, json.get(FROZEN));
        }
    }
}
