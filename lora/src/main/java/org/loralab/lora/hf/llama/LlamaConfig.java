package org.loralab.lora.hf.llama;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The fields of a Llama-family {@code config.json} (Llama, Qwen2, Mistral) that change the math, validated.
 * Unknown fields are ignored; a known field whose value this implementation cannot honour is refused with its
 * name, so a checkpoint never runs with silently different numerics.
 *
 * @param slidingWindow the attention window, or 0 when attention is global (Mistral's {@code sliding_window},
 *     Qwen2's when {@code use_sliding_window} is true); sequences longer than it are refused at run time
 */
public record LlamaConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int layers,
        int heads, int kvHeads, int headDim, double rmsNormEps, RopeScaling rope, boolean tieWordEmbeddings,
        boolean qkvBias, boolean outputBias, boolean mlpBias, int slidingWindow) {

    /** Model types this family reads, with the architecture name each one saves. */
    public static final Map<String, String> ARCHITECTURES = Map.of(
            "llama", "LlamaForCausalLM", "qwen2", "Qwen2ForCausalLM", "mistral", "MistralForCausalLM");

    public LlamaConfig {
        require(vocabSize > 0 && hiddenSize > 0 && intermediateSize > 0 && layers > 0 && heads > 0,
                "vocab_size, hidden_size, intermediate_size, num_hidden_layers and num_attention_heads must be > 0");
        require(kvHeads > 0 && heads % kvHeads == 0, "num_attention_heads (" + heads
                + ") must be a multiple of num_key_value_heads (" + kvHeads + ")");
        require(headDim > 0 && headDim % 2 == 0, "head_dim must be even and > 0 (got " + headDim + ")");
        require(rmsNormEps > 0, "rms_norm_eps must be > 0");
    }

    /**
     * Reads a config through {@code field} (a key to its JSON value: Map, List, Number, String, Boolean or
     * null when absent), e.g. {@code HfConfig::raw}.
     */
    public static LlamaConfig fromFields(Function<String, Object> field) {
        String type = string(field, "model_type", "llama");
        require(ARCHITECTURES.containsKey(type), "model_type '" + type + "' is not a Llama-family model; supported: "
                + String.join(", ", ARCHITECTURES.keySet().stream().sorted().toList()));
        String act = string(field, "hidden_act", "silu");
        require(act.equals("silu"), "hidden_act '" + act + "' is not supported (only silu)");
        refuseUnless(field, "pretraining_tp", 1, "its slicing is the same math; any value other than 1 is refused");
        refuseUnless(field, "partial_rotary_factor", 1, "partial RoPE is not implemented");
        refuseUnless(field, "attn_logit_softcapping", null, "soft-capping is not implemented");
        refuseUnless(field, "attention_dropout", 0, "training here runs without attention dropout");
        int hidden = integer(field, "hidden_size", 4096);
        int heads = integer(field, "num_attention_heads", 32);
        int kv = field.apply("num_key_value_heads") == null ? heads : integer(field, "num_key_value_heads", heads);
        Object hd = field.apply("head_dim");
        int headDim = hd == null ? hidden / heads : ((Number) hd).intValue();
        require(hd != null || hidden % heads == 0, "hidden_size " + hidden + " is not divisible by "
                + "num_attention_heads " + heads + " and head_dim is absent");
        boolean qwen = type.equals("qwen2");
        boolean attentionBias = !qwen && bool(field, "attention_bias", false);
        return new LlamaConfig(type, integer(field, "vocab_size", 32000), hidden,
                integer(field, "intermediate_size", 11008), integer(field, "num_hidden_layers", 32), heads, kv,
                headDim, number(field, "rms_norm_eps", 1e-6), RopeScaling.fromFields(field, headDim),
                bool(field, "tie_word_embeddings", false),
                qwen || attentionBias, attentionBias, !qwen && bool(field, "mlp_bias", false),
                slidingWindow(field, type));
    }

    /** Query heads that share one key/value head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    private static int slidingWindow(Function<String, Object> field, String type) {
        Object w = field.apply("sliding_window");
        if (w == null) {
            return 0;
        }
        boolean used = switch (type) {
            case "mistral" -> true;
            case "qwen2" -> bool(field, "use_sliding_window", false);
            default -> false;
        };
        return used ? ((Number) w).intValue() : 0;
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("config.json: " + message);
        }
    }

    private static void refuseUnless(Function<String, Object> field, String key, Object allowed, String why) {
        Object v = field.apply(key);
        if (v == null || v.equals(allowed)
                || (v instanceof Number n && allowed instanceof Number a && n.doubleValue() == a.doubleValue())) {
            return;
        }
        throw new IllegalArgumentException("config.json: " + key + " = " + v + " is not supported (" + why + ")");
    }

    static String string(Function<String, Object> field, String key, String dflt) {
        Object v = field.apply(key);
        if (v == null) {
            return dflt;
        }
        require(v instanceof String, key + " must be a string (got " + v + ")");
        return ((String) v).toLowerCase(Locale.ROOT);
    }

    static int integer(Function<String, Object> field, String key, int dflt) {
        Object v = field.apply(key);
        if (v == null) {
            return dflt;
        }
        require(v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()),
                key + " must be an integer (got " + v + ")");
        return ((Number) v).intValue();
    }

    static double number(Function<String, Object> field, String key, double dflt) {
        Object v = field.apply(key);
        if (v == null) {
            return dflt;
        }
        require(v instanceof Number, key + " must be a number (got " + v + ")");
        return ((Number) v).doubleValue();
    }

    static boolean bool(Function<String, Object> field, String key, boolean dflt) {
        Object v = field.apply(key);
        if (v == null) {
            return dflt;
        }
        require(v instanceof Boolean, key + " must be true or false (got " + v + ")");
        return (Boolean) v;
    }
}
