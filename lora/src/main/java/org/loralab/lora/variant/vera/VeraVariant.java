package org.loralab.lora.variant.vera;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ModelScope;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.Variant;

/**
 * VeRA (spec §9; PEFT {@code tuners/vera}): one pair of shared frozen random projections per adapter, sized by the
 * largest targeted layer, and per-layer trainable scaling vectors. Linear only. Config:
 * {@code AdapterConfig.builder().variant("vera").r(256).targetModules(...).option("projection_prng_key", 0)
 * .option("d_initial", 0.1).option("save_projection", true)}; every layer uses the config's r (rank_pattern does
 * not apply: the projections are shared).
 */
public final class VeraVariant implements Variant {
    @Override
    public String name() {
        return "vera";
    }

    @Override
    public java.util.Map<String, Object> optionDefaults() {
        return java.util.Map.ofEntries(java.util.Map.entry(VeraOptions.PROJECTION_PRNG_KEY, 0L), java.util.Map.entry(VeraOptions.SAVE_PROJECTION, true), java.util.Map.entry(VeraOptions.D_INITIAL, 0.1));
    }

    @Override
    public String peftType() {
        return "VERA";
    }

    @Override
    public Set<LayerKind> supportedKinds() {
        return EnumSet.of(LayerKind.LINEAR);
    }

    @Override
    public void validate(AdapterConfig config) {
        if (!config.rankPattern().isEmpty()) {
            throw new IllegalArgumentException("VeRA shares one projection of rank r across layers; remove "
                    + "rank_pattern " + config.rankPattern().keySet());
        }
        String init = config.init().name();
        if (!init.equals("true") && !init.equals("false")) {
            throw new IllegalArgumentException("VeRA's init_weights is true or false, got '" + init + "'");
        }
    }

    @Override
    public SharedState createSharedState(ModelScope scope) {
        validate(scope.config());
        VeraOptions options = VeraOptions.of(scope.config());
        BaseLayer first = scope.targets().values().stream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException("VeRA: no targeted layers"));
        return VeraProjections.create(scope.targets(), scope.config().r(), options.projectionPrngKey(),
                options.saveProjection(), first.manager());
    }

    @Override
    public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
        if (!(shared instanceof VeraProjections)) {
            throw new IllegalStateException("VeRA layer '" + spec.path() + "' needs the projections from "
                    + "createSharedState; got " + shared);
        }
        return new VeraLayer(spec, (VeraProjections) shared, VeraOptions.of(spec.config()));
    }

    /** The keys of PEFT's VeraConfig (plus PeftConfig's base keys); LoRA-only keys are dropped on save. */
    static final Set<String> CONFIG_KEYS = Set.of("r", "target_modules", "projection_prng_key", "save_projection",
            "vera_dropout", "d_initial", "fan_in_fan_out", "bias", "modules_to_save", "init_weights",
            "layers_to_transform", "layers_pattern", "task_type", "peft_type", "auto_mapping",
            "base_model_name_or_path", "revision", "inference_mode", "peft_version");

    @Override
    public void writeConfig(AdapterConfig config, Map<String, Object> json) {
        VeraOptions o = VeraOptions.of(config);
        json.keySet().retainAll(CONFIG_KEYS);
        json.put("peft_type", peftType());
        json.put(VeraOptions.PROJECTION_PRNG_KEY, o.projectionPrngKey());
        json.put(VeraOptions.SAVE_PROJECTION, o.saveProjection());
        json.put(VeraOptions.D_INITIAL, o.dInitial());
        json.put("vera_dropout", o.dropout());
        json.put("init_weights", o.initWeights());
    }

    @Override
    public void readConfig(Map<String, Object> json, AdapterConfig.Builder builder) {
        builder.variant(name());
        for (String key : new String[] {VeraOptions.PROJECTION_PRNG_KEY, VeraOptions.SAVE_PROJECTION,
                VeraOptions.D_INITIAL}) {
            if (json.containsKey(key)) {
                builder.option(key, json.get(key));
            }
        }
        Object dropout = json.get("vera_dropout");
        if (dropout instanceof Number) {
            builder.dropout(((Number) dropout).doubleValue());
        }
        Object init = json.get("init_weights");
        if (init instanceof Boolean) {
            builder.init((Boolean) init);
        }
    }
}
