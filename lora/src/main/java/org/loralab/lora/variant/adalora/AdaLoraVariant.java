package org.loralab.lora.variant.adalora;

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
 * AdaLoRA (PEFT {@code AdaLoraConfig}/{@code AdaLoraModel}, spec §10) on Linear and (ungrouped) Conv layers, and on
 * Embedding layers as an extension PEFT lacks (A [r, V] looked up as a table): variant name "adalora",
 * peft_type "ADALORA". Options are in {@link AdaLoraOptions}; the {@link RankAllocator} is the adapter's shared
 * state, so a training loop that calls the SPI's {@code TrainingHooks} runs the orthogonal regulariser and
 * {@code update_and_allocate} every step without user code. {@code r} and rsLoRA are ignored (the rank is init_r,
 * the scaling α/(init_r + 1e-5)).
 */
public final class AdaLoraVariant implements Variant {
    @Override
    public String name() {
        return "adalora";
    }

    @Override
    public java.util.Map<String, Object> optionDefaults() {
        return java.util.Map.ofEntries(java.util.Map.entry(AdaLoraOptions.INIT_R, 12L), java.util.Map.entry(AdaLoraOptions.TARGET_R, 8L), java.util.Map.entry(AdaLoraOptions.TOTAL_STEP, "required"), java.util.Map.entry(AdaLoraOptions.TINIT, 0L), java.util.Map.entry(AdaLoraOptions.TFINAL, 0L), java.util.Map.entry(AdaLoraOptions.DELTA_T, 1L), java.util.Map.entry(AdaLoraOptions.BETA1, 0.85), java.util.Map.entry(AdaLoraOptions.BETA2, 0.85), java.util.Map.entry(AdaLoraOptions.ORTH_REG_WEIGHT, 0.5), java.util.Map.entry(AdaLoraOptions.RANK_PATTERN, "none"));
    }

    @Override
    public String peftType() {
        return "ADALORA";
    }

    @Override
    public Set<LayerKind> supportedKinds() {
        return EnumSet.of(LayerKind.LINEAR, LayerKind.CONV1D, LayerKind.CONV2D, LayerKind.CONV3D, LayerKind.EMBEDDING);
    }

    @Override
    public void validate(AdapterConfig config) {
        AdaLoraOptions.of(config);
        if (config.loraBias()) {
            throw new IllegalArgumentException("AdaLoRA does not support lora_bias; set loraBias(false)");
        }
        if (config.options().containsKey("loftq_config") || config.options().containsKey("use_dora")) {
            throw new IllegalArgumentException("AdaLoRA does not support DoRA or LoftQ (as in PEFT)");
        }
    }

    /** PEFT: "AdaLoraModel supports only 1 trainable adapter"; our inactive adapters are frozen (inference mode). */
    @Override
    public void checkTrainable(java.util.List<String> activeAdapters) {
        if (activeAdapters.size() > 1) {
            throw new IllegalStateException("AdaLoRA supports only 1 trainable adapter, but the AdaLoRA adapters "
                    + activeAdapters + " are all active (active adapters train): call setActive(\"" + activeAdapters.get(0)
                    + "\") with just the one to train; inactive adapters stay frozen, like PEFT's inference_mode=True");
        }
    }

    @Override
    public SharedState createSharedState(ModelScope scope) {
        AdaLoraOptions o = AdaLoraOptions.of(scope.config());
        var first = scope.targets().values().stream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException("AdaLoRA: no targeted layers"));
        return new RankAllocator(scope.adapterName(), o, first.manager());
    }

    @Override
    public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
        return new AdaLoraLayer(spec, AdaLoraOptions.of(spec.config()));
    }

    @Override
    public void writeConfig(AdapterConfig config, Map<String, Object> json) {
        AdaLoraOptions o = AdaLoraOptions.of(config);
        json.put("peft_type", peftType());
        json.put(AdaLoraOptions.TARGET_R, o.targetR());
        json.put(AdaLoraOptions.INIT_R, o.initR());
        json.put(AdaLoraOptions.TINIT, o.tinit());
        json.put(AdaLoraOptions.TFINAL, o.tfinal());
        json.put(AdaLoraOptions.DELTA_T, o.deltaT());
        json.put(AdaLoraOptions.BETA1, o.beta1());
        json.put(AdaLoraOptions.BETA2, o.beta2());
        json.put(AdaLoraOptions.ORTH_REG_WEIGHT, o.orthRegWeight());
        json.put(AdaLoraOptions.TOTAL_STEP, o.totalStep());
        json.put(AdaLoraOptions.RANK_PATTERN, o.rankPattern().isEmpty() ? null : AdaLoraOptions.toJson(o.rankPattern()));
        json.put("use_dora", false);
    }

    @Override
    public void readConfig(Map<String, Object> json, AdapterConfig.Builder builder) {
        builder.variant(name());
        for (String key : AdaLoraOptions.KEYS) {
            Object v = json.get(key);
            if (v != null && !(AdaLoraOptions.RANK_PATTERN.equals(key) && v instanceof Map && ((Map<?, ?>) v).isEmpty())) {
                builder.option(key, v);
            }
        }
        builder.rankPattern(Map.of());
    }
}
