package org.loralab.lora.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.ToNumberPolicy;
import com.google.gson.reflect.TypeToken;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.config.TargetModules;
import org.loralab.lora.variant.Variant;
import org.loralab.lora.variant.VariantRegistry;

/**
 * adapter_config.json in PEFT's layout (spec §20): every LoraConfig key, sorted, indent 2.
 * Reading ignores unknown keys and defaults missing ones to PEFT's defaults.
 */
public final class AdapterConfigJson {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls()
            .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).disableHtmlEscaping().create();

    private AdapterConfigJson() {}

    /** The JSON text PEFT would write for {@code config}. */
    public static String toJson(AdapterConfig config) {
        Map<String, Object> m = new TreeMap<>();
        m.put("alora_invocation_tokens", null);
        m.put("alpha_pattern", numbers(config.alphaPattern()));
        m.put("arrow_config", null);
        m.put("auto_mapping", null);
        m.put("base_model_name_or_path", config.baseModelName());
        m.put("bias", config.bias().peftName());
        m.put("corda_config", null);
        m.put("ensure_weight_tying", false);
        m.put("eva_config", null);
        m.put("exclude_modules", config.excludeModules() == null ? null : config.excludeModules().toJsonValue());
        m.put("fan_in_fan_out", false);
        m.put("inference_mode", true);
        m.put("init_lora_weights", config.init().toJsonValue());
        m.put("kasa_config", null);
        m.put("layer_replication", null);
        m.put("layers_pattern", config.layersPattern());
        m.put("layers_to_transform", config.layersToTransform());
        Object loftq = config.options().get("loftq_config");
        m.put("loftq_config", loftq instanceof Map ? new LinkedHashMap<>((Map<?, ?>) loftq) : new LinkedHashMap<>());
        m.put("lora_alpha", number(config.alpha()));
        m.put("lora_bias", config.loraBias());
        m.put("lora_dropout", config.dropout());
        m.put("lora_ga_config", null);
        m.put("megatron_config", null);
        m.put("megatron_core", "megatron.core");
        m.put("modules_to_save", config.modulesToSave().isEmpty() ? null : config.modulesToSave());
        m.put("monteclora_config", null);
        m.put("peft_type", "LORA");
        m.put("qalora_group_size", 16);
        m.put("r", config.r());
        m.put("rank_pattern", config.rankPattern());
        m.put("revision", null);
        m.put("target_modules", config.targetModules() == null ? null : config.targetModules().toJsonValue());
        m.put("target_parameters", null);
        m.put("task_type", null);
        m.put("trainable_token_indices", null);
        m.put("use_bdlora", null);
        m.put("use_dora", false);
        m.put("use_qalora", false);
        m.put("use_rslora", config.useRslora());
        m.put("velora_config", null);
        Variant v = VariantRegistry.get(config.variant());
        m.put("peft_type", v.peftType());
        v.writeConfig(config, m);
        return GSON.toJson(m);
    }

    /** Parses adapter_config.json text; fails with the key that is wrong. */
    public static AdapterConfig fromJson(String json) {
        Map<String, Object> m;
        try {
            m = GSON.fromJson(json, new TypeToken<LinkedHashMap<String, Object>>() {}.getType());
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("adapter_config.json is not valid JSON: " + e.getMessage(), e);
        }
        if (m == null) {
            throw new IllegalArgumentException("adapter_config.json is empty");
        }
        if (!m.containsKey("peft_type")) {
            m.put("peft_type", "LORA");
        }
        Variant v = VariantRegistry.forConfig(m);
        AdapterConfig.Builder b = AdapterConfig.builder().variant(v.name());
        try {
            if (m.get("r") != null) {
                b.r(((Number) m.get("r")).intValue());
            }
            if (m.get("lora_alpha") != null) {
                b.alpha(((Number) m.get("lora_alpha")).doubleValue());
            }
            if (m.get("lora_dropout") != null) {
                b.dropout(((Number) m.get("lora_dropout")).doubleValue());
            }
            TargetModules t = modules(m.get("target_modules"), "target_modules");
            if (t != null) {
                b.targetModules(t);
            }
            TargetModules ex = modules(m.get("exclude_modules"), "exclude_modules");
            if (ex != null) {
                b.excludeModules(ex);
            }
            if (m.get("bias") != null) {
                b.bias(m.get("bias").toString());
            }
            if (m.get("modules_to_save") instanceof List) {
                b.modulesToSave(strings(m.get("modules_to_save")));
            }
            if (m.get("rank_pattern") instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) m.get("rank_pattern")).entrySet()) {
                    if (e.getValue() instanceof Number) {
                        b.rankPattern(e.getKey().toString(), ((Number) e.getValue()).intValue());
                    }
                }
            }
            if (m.get("alpha_pattern") instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) m.get("alpha_pattern")).entrySet()) {
                    b.alphaPattern(e.getKey().toString(), ((Number) e.getValue()).doubleValue());
                }
            }
            if (m.get("use_rslora") != null) {
                b.useRslora(Boolean.TRUE.equals(m.get("use_rslora")));
            }
            if (m.containsKey("init_lora_weights")) {
                b.init(org.loralab.lora.config.LoraInit.parse(m.get("init_lora_weights")));
            }
            if (m.get("lora_bias") != null) {
                b.loraBias(Boolean.TRUE.equals(m.get("lora_bias")));
            }
            Object ltt = m.get("layers_to_transform");
            if (ltt instanceof Number) {
                b.layersToTransform(List.of(((Number) ltt).intValue()));
            } else if (ltt instanceof List) {
                List<Integer> li = new ArrayList<>();
                for (Object o : (List<?>) ltt) {
                    li.add(((Number) o).intValue());
                }
                b.layersToTransform(li);
            }
            Object lp = m.get("layers_pattern");
            if (lp instanceof String) {
                b.layersPattern((String) lp);
            } else if (lp instanceof List && !((List<?>) lp).isEmpty()) {
                b.layersPattern(((List<?>) lp).get(0).toString());
            }
            if (m.get("loftq_config") instanceof Map && !((Map<?, ?>) m.get("loftq_config")).isEmpty()) {
                b.option("loftq_config", m.get("loftq_config"));
            }
            if (m.get("base_model_name_or_path") instanceof String) {
                b.baseModelName((String) m.get("base_model_name_or_path"));
            }
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("adapter_config.json has a value of the wrong type: " + e.getMessage(), e);
        }
        v.readConfig(m, b);
        return b.build();
    }

    private static TargetModules modules(Object v, String key) {
        if (v == null) {
            return null;
        }
        if (v instanceof String) {
            return TargetModules.regex((String) v);
        }
        if (v instanceof List) {
            return TargetModules.of(strings(v));
        }
        throw new IllegalArgumentException("adapter_config.json: " + key + " must be a list or a string, got " + v);
    }

    private static List<String> strings(Object v) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) v) {
            out.add(o.toString());
        }
        return out;
    }

    private static Object number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Object) (long) d : (Object) d;
    }

    private static Map<String, Object> numbers(Map<String, Double> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : m.entrySet()) {
            out.put(e.getKey(), number(e.getValue()));
        }
        return out;
    }
}
