package org.loralab.lora.variant.moe;

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
 * The mixture of rank-1 experts with a router (spec §17b; not MoRA, not in PEFT):
 * {@code variant("moe")} on Linear layers. Options: {@code top_k} (experts kept per token, default r:
 * all), {@code router} ("token", default: input-dependent; "static": one learned gate, mergeable),
 * {@code router_activation} ("softmax", default, or "sigmoid"). Scaling alpha/r (rsLoRA allowed),
 * lora_dropout on the input. adapter_config.json uses {@code peft_type "RANK1_MOE"} (no PEFT
 * equivalent). {@code balance_loss_coef} (default 0) adds a Switch-style load-balancing term through
 * the training hooks ({@link RouterBalanceLoss}).
 */
public final class Rank1MoeVariant implements Variant {
    /** Option key: experts kept per token. */
    public static final String TOP_K = "top_k";
    /** Option key: "token" or "static". */
    public static final String ROUTER = "router";
    /** Option key: "softmax" or "sigmoid". */
    public static final String ROUTER_ACTIVATION = "router_activation";
    /** Option key: weight of the load-balancing term added to the loss (0: none). */
    public static final String BALANCE_LOSS_COEF = "balance_loss_coef";

    @Override
    public String name() {
        return "moe";
    }

    @Override
    public java.util.Map<String, Object> optionDefaults() {
        return java.util.Map.ofEntries(java.util.Map.entry(TOP_K, "= r"), java.util.Map.entry(ROUTER, "token"), java.util.Map.entry(ROUTER_ACTIVATION, "softmax"), java.util.Map.entry(BALANCE_LOSS_COEF, 0.0));
    }

    @Override
    public String peftType() {
        return "RANK1_MOE";
    }

    @Override
    public Set<LayerKind> supportedKinds() {
        return EnumSet.of(LayerKind.LINEAR);
    }

    static boolean tokenRouter(AdapterConfig c) {
        return "token".equals(c.options().getOrDefault(ROUTER, "token"));
    }

    @Override
    public void validate(AdapterConfig config) {
        Object router = config.options().getOrDefault(ROUTER, "token");
        if (!"token".equals(router) && !"static".equals(router)) {
            throw new IllegalArgumentException("router must be \"token\" (input-dependent) or \"static\" (mergeable), got "
                    + router);
        }
        Object act = config.options().getOrDefault(ROUTER_ACTIVATION, "softmax");
        if (!"softmax".equals(act) && !"sigmoid".equals(act)) {
            throw new IllegalArgumentException("router_activation must be \"softmax\" or \"sigmoid\", got " + act);
        }
        long k = config.optionLong(TOP_K, config.r());
        if (k < 1) {
            throw new IllegalArgumentException("top_k must be >= 1, got " + k);
        }
        int experts = config.rankPattern().values().stream().reduce(config.r(), Math::min);
        if (k > experts) {
            throw new IllegalArgumentException("top_k picks among the r = " + experts + " rank-1 experts: give 1 <= "
                    + "top_k <= " + experts + ", got " + k);
        }
        if (config.optionDouble(BALANCE_LOSS_COEF, 0) < 0) {
            throw new IllegalArgumentException("balance_loss_coef must be >= 0");
        }
        String init = config.init().family();
        if (!init.equals("true") && !init.equals("false")) {
            throw new IllegalArgumentException("moe init must be true (B = 0) or false, got '" + init + "'");
        }
        if (config.loraBias()) {
            throw new IllegalArgumentException("moe has no lora_bias; remove loraBias(true)");
        }
    }

    @Override
    public SharedState createSharedState(ModelScope scope) {
        return new RouterBalanceLoss(scope.config().optionDouble(BALANCE_LOSS_COEF, 0));
    }

    @Override
    public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
        return new Rank1MoeLayer(spec, (RouterBalanceLoss) shared);
    }

    @Override
    public void writeConfig(AdapterConfig config, Map<String, Object> json) {
        json.put(TOP_K, config.optionLong(TOP_K, config.r()));
        json.put(ROUTER, config.options().getOrDefault(ROUTER, "token"));
        json.put(ROUTER_ACTIVATION, config.options().getOrDefault(ROUTER_ACTIVATION, "softmax"));
        json.put(BALANCE_LOSS_COEF, config.optionDouble(BALANCE_LOSS_COEF, 0));
    }

    @Override
    public void readConfig(Map<String, Object> json, AdapterConfig.Builder builder) {
        if (json.get(TOP_K) instanceof Number) {
            builder.option(TOP_K, ((Number) json.get(TOP_K)).longValue());
        }
        if (json.get(BALANCE_LOSS_COEF) instanceof Number) {
            builder.option(BALANCE_LOSS_COEF, ((Number) json.get(BALANCE_LOSS_COEF)).doubleValue());
        }
        for (String k : new String[] {ROUTER, ROUTER_ACTIVATION}) {
            if (json.get(k) instanceof String) {
                builder.option(k, json.get(k));
            }
        }
    }
}
