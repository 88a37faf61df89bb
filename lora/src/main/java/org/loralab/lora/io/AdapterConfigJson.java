package org.loralab.lora.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.ToNumberPolicy;
import com.google.gson.Strictness;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.config.LoraInit;
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

    /** The file name errors start with when the caller names no file. */
    static final String CONFIG_NAME = "adapter_config.json";
    /** Parses NaN/Infinity (Python's json writes them) so that range checks can name the key. */
    private static final Gson LENIENT = new GsonBuilder().setStrictness(Strictness.LENIENT)
            .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).create();
    private static final List<String> BIAS_VALUES = List.of("none", "all", "lora_only");
    private static final List<String> INIT_VALUES = List.of("gaussian", "eva", "olora", "pissa", "corda", "loftq",
            "orthogonal", "mica", "lora_ga");

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
        return fromJson(json, CONFIG_NAME);
    }

    /**
     * Parses adapter_config.json text; {@code source} (the file) starts every error, which is one line naming the key
     * and the expected type. Unknown keys are ignored, missing ones take PEFT's defaults; NaN and Infinity parse (as
     * Python's json writes them) so that the key that holds them can be named.
     */
    public static AdapterConfig fromJson(String json, String source) {
        Object parsed;
        try {
            parsed = LENIENT.fromJson(json, Object.class);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(source + ": not valid JSON ("
                    + org.loralab.lora.io.safetensors.Names.jsonError(e.getMessage()) + ")", e);
        }
        if (!(parsed instanceof Map)) {
            throw new IllegalArgumentException(source + ": must be a JSON object of LoraConfig keys, got "
                    + (parsed == null ? "nothing" : ConfigKeys.show(parsed)));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) parsed);
        ConfigKeys k = new ConfigKeys(m, source);
        if (k.string("peft_type") == null) {
            m.put("peft_type", "LORA");
        }
        k.bool("use_dora");
        Variant v;
        try {
            v = VariantRegistry.forConfig(m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        AdapterConfig.Builder b = AdapterConfig.builder().variant(v.name());
        ifPresent(k.positiveInt("r"), b::r);
        ifPresent(k.nonNegative("lora_alpha"), b::alpha);
        k.nonNegative("alpha");
        ifPresent(k.probability("lora_dropout"), b::dropout);
        TargetModules t = modules(k.stringOrStrings("target_modules"));
        if (t != null) {
            b.targetModules(t);
        }
        TargetModules ex = modules(k.stringOrStrings("exclude_modules"));
        if (ex != null) {
            b.excludeModules(ex);
        }
        ifPresent(k.oneOf("bias", BIAS_VALUES), b::bias);
        ifPresent(k.strings("modules_to_save"), b::modulesToSave);
        if ("ADALORA".equals(m.get("peft_type"))) {
            k.maskPattern("rank_pattern");
        } else {
            k.intPattern("rank_pattern").forEach(b::rankPattern);
        }
        k.numberPattern("alpha_pattern").forEach(b::alphaPattern);
        ifPresent(k.bool("use_rslora"), b::useRslora);
        if (m.containsKey("init_lora_weights")) {
            b.init(LoraInit.parse(initLoraWeights(k)));
        }
        if (m.get("init_weights") != null && !(m.get("init_weights") instanceof Boolean) && !"lycoris".equals(m.get("init_weights"))) {
            throw k.wrong("init_weights", "true, false or \"lycoris\"", m.get("init_weights"));
        }
        ifPresent(k.bool("lora_bias"), b::loraBias);
        for (String flag : List.of("inference_mode", "fan_in_fan_out")) {
            k.bool(flag);
        }
        Object ltt = m.get("layers_to_transform");
        if (ltt instanceof List<?> list) {
            List<Integer> li = new ArrayList<>();
            for (Object o : list) {
                li.add(k.index("layers_to_transform", o));
            }
            b.layersToTransform(li);
        } else if (ltt != null) {
            b.layersToTransform(List.of(k.index("layers_to_transform", ltt)));
        }
        Object lp = k.stringOrStrings("layers_pattern");
        if (lp instanceof String s) {
            b.layersPattern(s);
        } else if (lp instanceof List<?> l && !l.isEmpty()) {
            b.layersPattern(l.get(0).toString());
        }
        Object loftq = m.get("loftq_config");
        if (loftq != null && !(loftq instanceof Map)) {
            throw k.wrong("loftq_config", "an object", loftq);
        }
        if (loftq instanceof Map && !((Map<?, ?>) loftq).isEmpty()) {
            b.option("loftq_config", loftq);
        }
        ifPresent(k.string("base_model_name_or_path"), b::baseModelName);
        Map<String, Object> defaults = defaults(v);
        if (defaults != null) {
            k.sameTypesAs(defaults, CHECKED_KEYS);
        }
        try {
            v.readConfig(m, b);
            return b.build();
        } catch (ClassCastException | IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + org.loralab.lora.io.safetensors.Names.firstLine(
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    /** The keys fromJson checks itself (with their own rules, e.g. LyCORIS' init_weights may be "lycoris"). */
    private static final java.util.Set<String> CHECKED_KEYS = java.util.Set.of("peft_type", "r", "lora_alpha", "alpha",
            "lora_dropout", "target_modules", "exclude_modules", "bias", "modules_to_save", "rank_pattern",
            "alpha_pattern", "use_rslora", "use_dora", "init_lora_weights", "init_weights", "lora_bias",
            "inference_mode", "fan_in_fan_out", "layers_to_transform", "layers_pattern", "loftq_config",
            "base_model_name_or_path");

    /** The JSON this library writes for a default config of {@code v}: the types of its keys; null if none builds. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> defaults(Variant v) {
        try {
            AdapterConfig d = AdapterConfig.builder().variant(v.name()).targetModules("x").build();
            return (Map<String, Object>) LENIENT.fromJson(toJson(d), Object.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** PEFT's values of init_lora_weights: a boolean or one of its named schemes. */
    private static Object initLoraWeights(ConfigKeys k) {
        Object v = k.raw("init_lora_weights");
        if (v == null || v instanceof Boolean) {
            return v;
        }
        if (v instanceof String s && (INIT_VALUES.contains(s) || s.matches("pissa_niter_[1-9][0-9]{0,5}"))) {
            return s;
        }
        throw k.wrong("init_lora_weights", "true, false or one of " + String.join(", ", INIT_VALUES) + ", pissa_niter_<n>", v);
    }

    private static <T> void ifPresent(T value, java.util.function.Consumer<T> set) {
        if (value != null) {
            set.accept(value);
        }
    }

    private static TargetModules modules(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return TargetModules.regex(s);
        }
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) v;
        return TargetModules.of(names);
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
