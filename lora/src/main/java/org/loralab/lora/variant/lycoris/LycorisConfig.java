package org.loralab.lora.variant.lycoris;

import java.util.List;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.config.LoraInit;

/**
 * adapter_config.json for LyCORIS configs ({@code LoHaConfig}, {@code LoKrConfig}): PEFT writes
 * {@code alpha} and {@code init_weights} instead of {@code lora_alpha} / {@code init_lora_weights},
 * has no LoRA-only keys, and adds its own options.
 */
public final class LycorisConfig {
    /** Keys of LoraConfig that LyCORIS configs do not have. */
    private static final List<String> LORA_ONLY = List.of("alora_invocation_tokens", "arrow_config",
            "corda_config", "ensure_weight_tying", "eva_config", "fan_in_fan_out", "init_lora_weights",
            "kasa_config", "layer_replication", "loftq_config", "lora_alpha", "lora_bias", "lora_dropout",
            "lora_ga_config", "megatron_config", "megatron_core", "monteclora_config", "qalora_group_size",
            "target_parameters", "trainable_token_indices", "use_bdlora", "use_dora", "use_qalora",
            "use_rslora", "velora_config");

    private LycorisConfig() {}

    /**
     * Rewrites the LoRA map into the LyCORIS one: removes LoRA-only keys, writes {@code alpha},
     * {@code init_weights} and each option key with its value or default.
     */
    public static void write(AdapterConfig config, Map<String, Object> json, Map<String, Object> optionDefaults) {
        Object alpha = json.get("lora_alpha");
        for (String k : LORA_ONLY) {
            json.remove(k);
        }
        json.put("alpha", alpha);
        json.put("init_weights", config.init().toJsonValue());
        for (Map.Entry<String, Object> e : optionDefaults.entrySet()) {
            json.put(e.getKey(), config.options().getOrDefault(e.getKey(), e.getValue()));
        }
    }

    /** Reads {@code alpha}, {@code init_weights} and the option keys into the builder. */
    public static void read(Map<String, Object> json, AdapterConfig.Builder b, Iterable<String> optionKeys) {
        if (json.get("alpha") instanceof Number) {
            b.alpha(((Number) json.get("alpha")).doubleValue());
        }
        if (json.containsKey("init_weights")) {
            b.init(LoraInit.parse(json.get("init_weights")));
        }
        for (String k : optionKeys) {
            Object v = json.get(k);
            if (v != null) {
                b.option(k, v);
            }
        }
    }

    /** The checks LoHa and LoKr share: rank/module dropout are probabilities and there is no rsLoRA scaling. */
    public static void checkCommon(AdapterConfig config, String method) {
        checkProbability(config, LycorisLayer.RANK_DROPOUT);
        checkProbability(config, LycorisLayer.MODULE_DROPOUT);
        if (config.useRslora()) {
            throw new IllegalArgumentException(method + " has no rsLoRA scaling; remove useRslora(true)");
        }
    }

    /** Throws when an option that must be a probability is outside [0, 1). */
    public static void checkProbability(AdapterConfig config, String key) {
        double p = config.optionDouble(key, 0);
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(key + " must be in [0, 1), got " + p);
        }
    }
}
